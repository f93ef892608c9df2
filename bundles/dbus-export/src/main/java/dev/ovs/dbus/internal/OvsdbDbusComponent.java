package dev.ovs.dbus.internal;

import dev.ovs.dbus.DbusExport;
import dev.ovs.dbus.ovsdb.OvsdbBus;
import dev.ovs.ovsdb.vswitch.VSwitch;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Registers the {@code org.openvswitch.ovsdb} object as a whiteboard service ({@value DbusExport#OBJECT_PATH}
 * {@code =/org/openvswitch/ovsdb}, {@value DbusExport#BUS_NAME}{@code =org.openvswitch.ovsdb}); the exporter
 * puts it on the bus like any third-party object. The {@link VSwitch} reference is dynamic and optional: while
 * the OVSDB bundle is stopped or being updated the object stays exported and answers
 * {@code org.openvswitch.ovsdb.Error.Unavailable}.
 */
@Component(service = OvsdbBus.class, property = {
        DbusExport.OBJECT_PATH + "=" + OvsdbBus.OBJECT_PATH,
        DbusExport.BUS_NAME + "=" + OvsdbBus.BUS_NAME,
        "service.description=D-Bus object org.openvswitch.ovsdb"})
public final class OvsdbDbusComponent extends OvsdbObject implements OvsdbBus {
    @Reference(policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL)
    private volatile VSwitch vswitch;

    /** For DS. */
    public OvsdbDbusComponent() {
        super(null);
    }

    @Override
    SwitchOps current() {
        VSwitch v = vswitch;
        return v == null ? null : new VSwitchOps(v);
    }
}
