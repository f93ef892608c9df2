package dev.ovs.examples.qos;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.bus.EventBus;
import dev.ovs.dbus.DbusExport;
import dev.ovs.examples.qos.dbus.QoS1;
import dev.ovs.ovsdb.vswitch.VSwitch;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@link QoS1} object, exported by Patchbay's D-Bus whiteboard. It throws what it meets
 * ({@link InvalidArgumentException} for bad input, {@code OvsdbException} from OVSDB, a {@link DomainException}
 * Unavailable without the VSwitch service) and the whiteboard turns that into the D-Bus errors {@link QoS1}
 * documents (its {@code @ErrorNamespace}).
 */
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
            throw new DomainException(ErrorKind.Unavailable, "OVSDB (VSwitch service) is not available right now", null);
        }
        return new QosManager(v, bus);
    }

    @Override
    public void SetIngressPolicing(String iface, UInt32 rateKbps, UInt32 burstKb) {
        if (rateKbps == null || burstKb == null) {
            throw new InvalidArgumentException("rate_kbps/burst_kb", "must not be null");
        }
        m().setIngressPolicing(iface, rateKbps.longValue(), burstKb.longValue());
    }

    @Override
    public void SetEgressLimit(String port, UInt64 maxRateBps) {
        if (maxRateBps == null) {
            throw new InvalidArgumentException("max_rate_bps", "must not be null");
        }
        if (maxRateBps.value().bitLength() > 63) {
            throw new InvalidArgumentException("max_rate_bps", "must be 1..9223372036854775807 bit/s");
        }
        m().setEgressLimit(port, maxRateBps.longValue());
    }

    @Override
    public void Clear(String port) {
        m().clear(port);
    }

    @Override
    public String Get(String port) {
        return m().get(port);
    }
}
