package dev.ovs.examples.qos.dbus;

import dev.ovs.dbus.ErrorNamespace;
import dev.ovs.dbus.ReadOnly;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;

/**
 * D-Bus interface {@code dev.ovs.QoS1} at {@code /dev/ovs/QoS1} (bus name {@code dev.ovs.QoS1}).
 * Errors: {@code org.freedesktop.DBus.Error.InvalidArgs} (bad name, rate 0 or > 2^63-1; nothing changed),
 * {@code org.openvswitch.ovsdb.Error.NotFound} (unknown port/interface), {@code ...Unavailable} (no OVSDB): the
 * interface passes OVSDB's errors on, so it declares their namespace ({@link ErrorNamespace}).
 */
@DBusInterfaceName("dev.ovs.QoS1")
@ErrorNamespace("org.openvswitch.ovsdb.Error")
public interface QoS1 extends DBusInterface {
    /** Bus name. */
    String BUS_NAME = "dev.ovs.QoS1";
    /** Object path. */
    String OBJECT_PATH = "/dev/ovs/QoS1";

    /** {@code SetIngressPolicing(s interface, u rate_kbps, u burst_kb)}: Interface ingress_policing_rate/burst. */
    void SetIngressPolicing(String iface, UInt32 rateKbps, UInt32 burstKb);

    /** {@code SetEgressLimit(s port, t max_rate_bps)}: linux-htb QoS + one Queue, referenced by Port.qos. */
    void SetEgressLimit(String port, UInt64 maxRateBps);

    /** {@code Clear(s port)}: Port.qos emptied, own QoS/Queue rows deleted, ingress policing reset. */
    void Clear(String port);

    /** {@code Get(s port) -> s}: JSON, see QosManager.get. @param port port @return JSON */
    @ReadOnly
    String Get(String port);
}
