/**
 * dbus-java declarations of the members Patchbay uses of systemd-networkd's API
 * (org.freedesktop.network1(5), systemd 252). The Java package and type names are the D-Bus interface
 * names. Exported because the dbus-java bundle loads these classes by name (DynamicImport-Package).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package org.freedesktop.network1;
