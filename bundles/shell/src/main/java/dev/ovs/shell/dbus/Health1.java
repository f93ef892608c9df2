package dev.ovs.shell.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * D-Bus interface {@code dev.ovs.Health1}, object {@code /dev/ovs/Health1}, bus name {@code dev.ovs.Health1}: the
 * appliance's health as {@code bin/patchbay health} reports it. Read-only; the shipped policy lets everybody call
 * both members.
 */
@DBusInterfaceName("dev.ovs.Health1")
public interface Health1 extends DBusInterface {
    /** Well-known bus name. */
    String BUS_NAME = "dev.ovs.Health1";
    /** Object path. */
    String OBJECT_PATH = "/dev/ovs/Health1";

    /**
     * {@code → s}: the overall status, evaluated now.
     *
     * @return {@code ok}, {@code degraded} (an optional dependency missing, a component waiting for a service, an
     *         export not exported) or {@code down} (a bundle or component not running, OVSDB or D-Bus not connected)
     */
    String GetStatus();

    /**
     * {@code → s}: the full report, evaluated now, as JSON: {@code {"status": "ok|degraded|down", "healthy": b,
     * "summary": s, "at": ISO-8601, "checks": [{"name": "bundles|components|ovsdb|dbus|networkd|docker|nats",
     * "status": "ok|degraded|down|n/a", "detail": s, "counted": b}], "bundles": [{"id": n, "name": s, "version": s,
     * "state": s, "ok": b}]}}.
     *
     * @return the report
     */
    String GetReport();
}
