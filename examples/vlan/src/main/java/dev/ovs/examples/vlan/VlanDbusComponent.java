package dev.ovs.examples.vlan;

import dev.ovs.bus.EventBus;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.DbusExport;
import dev.ovs.examples.vlan.dbus.Vlan1;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.freedesktop.dbus.types.UInt16;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The {@link Vlan1} object, exported by Patchbay's D-Bus whiteboard at /dev/ovs/Vlan1 as dev.ovs.Vlan1. */
@Component(service = Vlan1.class, property = {
        DbusExport.OBJECT_PATH + "=" + Vlan1.OBJECT_PATH,
        DbusExport.BUS_NAME + "=" + Vlan1.BUS_NAME,
        "service.description=D-Bus object dev.ovs.Vlan1 (example bundle)"})
public final class VlanDbusComponent implements Vlan1 {
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile VSwitch vswitch;

    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile EventBus bus;

    /** For DS. */
    public VlanDbusComponent() {
    }

    /**
     * Outside OSGi (tests).
     *
     * @param vswitch OVSDB access
     * @param bus     event bus or null
     */
    public VlanDbusComponent(VSwitch vswitch, EventBus bus) {
        this.vswitch = vswitch;
        this.bus = bus;
    }

    @Override
    public String getObjectPath() {
        return OBJECT_PATH;
    }

    private VlanManager manager() {
        VSwitch v = vswitch;
        if (v == null) {
            throw DbusErrors.ovsdb(DbusErrors.Kind.Unavailable, "OVSDB (VSwitch service) is not available right now");
        }
        return new VlanManager(v, bus);
    }

    /**
     * Runs an operation mapping IllegalArgumentException to InvalidArgs and OvsdbException to its OVSDB error.
     *
     * @param s operation
     * @param <T> result type
     * @return the result
     */
    static <T> T call(Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? "invalid argument" : e.getMessage();
            int i = m.indexOf(": ");
            throw i > 0 ? DbusErrors.invalidArgs(m.substring(0, i), m.substring(i + 2)) : DbusErrors.invalidArgs("argument", m);
        } catch (OvsdbException e) {
            throw DbusErrors.ovsdb(DbusErrors.Kind.of(e.kind().name()), String.valueOf(e.getMessage()));
        }
    }

    private static int tag(UInt16 t) {
        if (t == null) {
            throw DbusErrors.invalidArgs("tag", "must not be null");
        }
        return t.intValue();
    }

    @Override
    public void SetAccess(String port, UInt16 tag) {
        call(() -> manager().setAccess(port, tag(tag)));
    }

    @Override
    public void SetTrunks(String port, UInt16[] tags) {
        call(() -> {
            if (tags == null) {
                throw new IllegalArgumentException("tags: must not be null");
            }
            List<Integer> l = new ArrayList<>();
            for (UInt16 t : tags) {
                l.add(tag(t));
            }
            return manager().setTrunks(port, l);
        });
    }

    @Override
    public void SetNativeTagged(String port, UInt16 tag) {
        call(() -> manager().setNativeTagged(port, tag(tag)));
    }

    @Override
    public void SetNativeUntagged(String port, UInt16 tag) {
        call(() -> manager().setNativeUntagged(port, tag(tag)));
    }

    @Override
    public void Clear(String port) {
        call(() -> manager().clear(port));
    }

    @Override
    public VlanState Get(String port) {
        VlanManager.VlanConfig c = call(() -> manager().get(port));
        UInt16[] tr = c.trunks().stream().map(UInt16::new).toArray(UInt16[]::new);
        return new VlanState(c.mode(), new UInt16(c.tag()), tr);
    }
}
