package dev.ovs.examples.qos;

import dev.ovs.bus.EventBus;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.DbusExport;
import dev.ovs.examples.qos.dbus.QoS1;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.function.Supplier;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The {@link QoS1} object, exported by Patchbay's D-Bus whiteboard. */
@Component(service = QoS1.class, property = {
        DbusExport.OBJECT_PATH + "=" + QoS1.OBJECT_PATH,
        DbusExport.BUS_NAME + "=" + QoS1.BUS_NAME,
        "service.description=D-Bus object dev.ovs.QoS1 (example bundle)"})
public final class QosDbusComponent implements QoS1 {
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile VSwitch vswitch;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile EventBus bus;

    /** For DS. */
    public QosDbusComponent() {
    }

    /** @param vswitch OVSDB access @param bus bus or null */
    public QosDbusComponent(VSwitch vswitch, EventBus bus) {
        this.vswitch = vswitch;
        this.bus = bus;
    }

    @Override
    public String getObjectPath() {
        return OBJECT_PATH;
    }

    private QosManager m() {
        VSwitch v = vswitch;
        if (v == null) {
            throw DbusErrors.ovsdb(DbusErrors.Kind.Unavailable, "OVSDB (VSwitch service) is not available right now");
        }
        return new QosManager(v, bus);
    }

    static <T> T call(Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage() == null ? "invalid argument" : e.getMessage();
            int i = msg.indexOf(": ");
            throw i > 0 ? DbusErrors.invalidArgs(msg.substring(0, i), msg.substring(i + 2)) : DbusErrors.invalidArgs("argument", msg);
        } catch (OvsdbException e) {
            throw DbusErrors.ovsdb(DbusErrors.Kind.of(e.kind().name()), String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void SetIngressPolicing(String iface, UInt32 rateKbps, UInt32 burstKb) {
        if (rateKbps == null || burstKb == null) {
            throw DbusErrors.invalidArgs("rate_kbps/burst_kb", "must not be null");
        }
        call(() -> {
            m().setIngressPolicing(iface, rateKbps.longValue(), burstKb.longValue());
            return null;
        });
    }

    @Override
    public void SetEgressLimit(String port, UInt64 maxRateBps) {
        if (maxRateBps == null) {
            throw DbusErrors.invalidArgs("max_rate_bps", "must not be null");
        }
        if (maxRateBps.value().bitLength() > 63) {
            throw DbusErrors.invalidArgs("max_rate_bps", "must be 1..9223372036854775807 bit/s");
        }
        call(() -> {
            m().setEgressLimit(port, maxRateBps.longValue());
            return null;
        });
    }

    @Override
    public void Clear(String port) {
        call(() -> {
            m().clear(port);
            return null;
        });
    }

    @Override
    public String Get(String port) {
        return call(() -> m().get(port));
    }
}
