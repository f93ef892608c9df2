/**
 * The vocabulary shared by every Patchbay API and by the D-Bus core: {@link dev.ovs.base.ErrorKind} (the
 * last component of the pinned D-Bus error names), {@link dev.ovs.base.DomainException} (a failure of one
 * kind), {@link dev.ovs.base.InvalidArgumentException} (bad input: which argument, which rule),
 * {@link dev.ovs.base.InterfaceName} (the kernel's network interface name rule) and
 * {@link dev.ovs.base.ConfigValues} (strict reading of configuration properties, errors naming the key).
 *
 * <p>Domain APIs throw these types; each domain bundle's D-Bus face turns them into D-Bus errors with the
 * one mapping of {@code dev.ovs.dbus} without parsing any message.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.base;
