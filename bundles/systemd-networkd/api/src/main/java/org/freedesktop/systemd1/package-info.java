/**
 * dbus-java declarations of the members Patchbay uses of systemd's service manager API
 * (org.freedesktop.systemd1(5), systemd 252). The Java package and type names are the D-Bus interface
 * names, so dbus-java maps interfaces, signals and error replies without annotations. Exported because the
 * dbus-java bundle loads these classes by name (DynamicImport-Package) when decoding signals.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package org.freedesktop.systemd1;
