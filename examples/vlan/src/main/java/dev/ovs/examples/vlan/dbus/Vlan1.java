package dev.ovs.examples.vlan.dbus;

import dev.ovs.dbus.ErrorNamespace;
import dev.ovs.dbus.ReadOnly;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt16;

/**
 * D-Bus interface {@code dev.ovs.Vlan1} at {@code /dev/ovs/Vlan1} (bus name {@code dev.ovs.Vlan1}): VLAN mode of OVS
 * ports (Port tag/trunks/vlan_mode, ovs-vswitchd.conf.db(5)).
 * Errors: {@code org.freedesktop.DBus.Error.InvalidArgs} for a bad port name (1..15 bytes) or a tag outside 0..4095
 * (nothing changed); {@code org.openvswitch.ovsdb.Error.NotFound} for an unknown port;
 * {@code org.openvswitch.ovsdb.Error.Unavailable} while OVSDB is not connected; other
 * {@code org.openvswitch.ovsdb.Error.<Kind>} from OVSDB: the interface passes OVSDB's errors on, so it declares
 * their namespace ({@link ErrorNamespace}).
 */
@DBusInterfaceName("dev.ovs.Vlan1")
@ErrorNamespace("org.openvswitch.ovsdb.Error")
public interface Vlan1 extends DBusInterface {
    /** Bus name. */
    String BUS_NAME = "dev.ovs.Vlan1";
    /** Object path. */
    String OBJECT_PATH = "/dev/ovs/Vlan1";

    /** {@code SetAccess(s port, q tag)}: vlan_mode=access, tag, trunks cleared. */
    void SetAccess(String port, UInt16 tag);

    /** {@code SetTrunks(s port, aq tags)}: vlan_mode=trunk, no tag, trunks=tags (empty = all VLANs). */
    void SetTrunks(String port, UInt16[] tags);

    /** {@code SetNativeTagged(s port, q tag)}: vlan_mode=native-tagged, tag; trunks kept. */
    void SetNativeTagged(String port, UInt16 tag);

    /** {@code SetNativeUntagged(s port, q tag)}: vlan_mode=native-untagged, tag; trunks kept. */
    void SetNativeUntagged(String port, UInt16 tag);

    /** {@code Clear(s port)}: tag, trunks and vlan_mode emptied. */
    void Clear(String port);

    /**
     * {@code Get(s port) -> (sqaq)}: configured mode ("" when unset), tag (65535 when none), trunks sorted.
     *
     * @param port port name
     * @return the configuration struct
     */
    @ReadOnly
    VlanState Get(String port);

    /** D-Bus struct {@code (sqaq)}: mode, tag (65535 = none), trunks. */
    final class VlanState extends Struct {
        /** vlan_mode or "". */
        @Position(0)
        public final String mode;
        /** tag 0..4095 or 65535. */
        @Position(1)
        public final UInt16 tag;
        /** trunks. */
        @Position(2)
        public final UInt16[] trunks;

        /**
         * @param mode   mode
         * @param tag    tag
         * @param trunks trunks
         */
        public VlanState(String mode, UInt16 tag, UInt16[] trunks) {
            this.mode = mode;
            this.tag = tag;
            this.trunks = trunks;
        }
    }
}
