/**
 * Test harness that starts real daemons (ovsdb-server, ovs-vswitchd, dbus-daemon, systemd-networkd,
 * podman) in private network namespaces and temporary directories, and always cleans up.
 *
 * <p>Plain Java: depends only on {@code java.*} and {@code org.opentest4j} (for
 * {@code TestAbortedException}), so it works on the class path (surefire) and as a bundle in Felix.
 * Every class must be used from a process running as root (network namespaces, mounts).
 */
@org.osgi.annotation.versioning.Version("1.2.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.itests.harness;
