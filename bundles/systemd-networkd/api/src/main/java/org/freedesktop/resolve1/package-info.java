/**
 * The one error name Patchbay needs from this namespace: {@code org.freedesktop.resolve1.NoSuchLink}, which
 * systemd-networkd uses for unknown links. Exported because the dbus-java bundle loads error classes by name
 * (DynamicImport-Package).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package org.freedesktop.resolve1;
