package dev.ovs.examples.vlan;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.bus.EventBus;
import dev.ovs.dbus.DbusExport;
import dev.ovs.examples.vlan.dbus.Vlan1;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.util.ArrayList;
import java.util.List;
import org.freedesktop.dbus.types.UInt16;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@link Vlan1} object, exported by Patchbay's D-Bus whiteboard at /dev/ovs/Vlan1 as dev.ovs.Vlan1. It throws
 * what it meets ({@link InvalidArgumentException} for bad input, {@code OvsdbException} from OVSDB, a
 * {@link DomainException} Unavailable without the VSwitch service) and the whiteboard turns that into the D-Bus
 * errors {@link Vlan1} documents (its {@code @ErrorNamespace}).
 */
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
            throw new DomainException(ErrorKind.Unavailable, "OVSDB (VSwitch service) is not available right now", null);
        }
        return new VlanManager(v, bus);
    }

    private static int tag(String argument, UInt16 t) {
        if (t == null) {
            throw new InvalidArgumentException(argument, "must not be null");
        }
        return t.intValue();
    }

    @Override
    public void SetAccess(String port, UInt16 tag) {
        manager().setAccess(port, tag("tag", tag));
    }

    @Override
    public void SetTrunks(String port, UInt16[] tags) {
        if (tags == null) {
            throw new InvalidArgumentException("tags", "must not be null");
        }
        List<Integer> l = new ArrayList<>();
        for (UInt16 t : tags) {
            l.add(tag("tags", t));
        }
        manager().setTrunks(port, l);
    }

    @Override
    public void SetNativeTagged(String port, UInt16 tag) {
        manager().setNativeTagged(port, tag("tag", tag));
    }

    @Override
    public void SetNativeUntagged(String port, UInt16 tag) {
        manager().setNativeUntagged(port, tag("tag", tag));
    }

    @Override
    public void Clear(String port) {
        manager().clear(port);
    }

    @Override
    public VlanState Get(String port) {
        VlanManager.VlanConfig c = manager().get(port);
        UInt16[] tr = c.trunks().stream().map(UInt16::new).toArray(UInt16[]::new);
        return new VlanState(c.mode(), new UInt16(c.tag()), tr);
    }
}
