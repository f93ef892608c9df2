/**
 * Patchbay D-Bus API: the bus connection as an OSGi service, the whiteboard contract for exporting
 * objects on D-Bus, the one mapping from exceptions to D-Bus errors, and the authorization hook. Knows no
 * domain: each domain bundle owns its D-Bus face (interface, error namespace, registering component, signals).
 *
 * <p><b>Exporting an object</b> (the contract for third-party bundles, see {@code docs/extending.md}):
 * register any OSGi service that implements a dbus-java {@link org.freedesktop.dbus.interfaces.DBusInterface}
 * with the service property {@value dev.ovs.dbus.DbusExport#OBJECT_PATH} (and optionally
 * {@value dev.ovs.dbus.DbusExport#BUS_NAME}). It is exported on the bus while it is registered, re-exported
 * after the bus daemon restarts, and unexported when it is unregistered. Collisions are reported by
 * {@link dev.ovs.dbus.DbusExports#exports()} and logged, never thrown at the registrant.
 *
 * <p><b>Errors</b>: members throw {@link dev.ovs.base.InvalidArgumentException} for bad input and
 * {@link dev.ovs.base.DomainException}s (or a {@link dev.ovs.dbus.DbusError}) for the rest; the exporter maps
 * them with {@link dev.ovs.dbus.DbusErrors#map} to {@code org.freedesktop.DBus.Error.InvalidArgs} and
 * {@code <namespace>.<kind>}, the namespace declared on the interface with {@link dev.ovs.dbus.ErrorNamespace}.
 *
 * <p><b>Members</b>: {@link dev.ovs.dbus.NonBlocking} (answers from memory: run on the connection's reader
 * thread), {@link dev.ovs.dbus.ReadOnly} (changes nothing: what an authorization policy needs to know).
 *
 * <p><b>Authorization</b>: {@link dev.ovs.dbus.DbusAuthorizer} services are asked before every member runs, with
 * the caller's credentials from the bus daemon ({@link dev.ovs.dbus.DbusCall}); the bundle registers one that
 * lets everybody call {@link dev.ovs.dbus.ReadOnly} members and only root, the appliance's uid and a configured
 * group call the others. A member sees the call it serves with
 * {@link dev.ovs.dbus.DbusConnectionService#currentCall()}.
 *
 * <p><b>Observation</b>: {@link dev.ovs.dbus.DbusCallObserver} services hear of every call after it was answered
 * or refused: its error name, if any, and its duration (the metrics bundle's per-member calls, errors and latency).
 *
 * <p><b>Ledger</b>: every call of a member that is not read-only is recorded in the ledger
 * ({@link dev.ovs.dbus.ledger}) once, intent before and outcome after: by the exporter, or by the member's
 * implementation for a member marked {@link dev.ovs.dbus.RecordedByService}.
 *
 * <p>2.0.0: {@code DbusErrors.Kind} and the per-domain factories of {@code DbusErrors} are gone
 * (kinds are {@link dev.ovs.base.ErrorKind}, namespaces are declared by each interface), and so is the package
 * of the domain interface that lived next to this one; {@link dev.ovs.dbus.DbusError}
 * carries its name; {@link dev.ovs.dbus.DbusErrors#map}, {@link dev.ovs.dbus.ErrorNamespace},
 * {@link dev.ovs.dbus.ReadOnly}, {@link dev.ovs.dbus.DbusAuthorizer} and {@link dev.ovs.dbus.DbusCall} are new.
 * 2.1.0: {@link dev.ovs.dbus.DbusCall} carries the caller's uid, pid and groups;
 * {@link dev.ovs.dbus.DbusConnectionService#currentCall()}.
 * 2.2.0: {@link dev.ovs.dbus.DbusCallObserver} and {@link dev.ovs.dbus.RecordedByService}.
 */
@org.osgi.annotation.versioning.Version("2.2.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.dbus;
