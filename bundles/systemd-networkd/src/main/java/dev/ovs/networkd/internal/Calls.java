package dev.ovs.networkd.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.networkd.NetworkdException;
import java.util.Set;
import java.util.function.Supplier;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;

/**
 * Maps D-Bus failures of calls to one service ({@code org.freedesktop.systemd1} or {@code org.freedesktop.network1})
 * to {@link NetworkdException}s with clear messages. When the service has no owner on the bus (D-Bus errors
 * {@code org.freedesktop.DBus.Error.ServiceUnknown} and {@code NameHasNoOwner}: the daemon is not running, or not on
 * this bus) the message says so in one sentence, naming the daemon and its bus name.
 */
final class Calls {
    static final Set<String> NOT_FOUND = Set.of("org.freedesktop.systemd1.NoSuchUnit",
            "org.freedesktop.resolve1.NoSuchLink", "org.freedesktop.systemd1.NoSuchJob", "org.freedesktop.DBus.Error.FileNotFound");
    /** D-Bus errors meaning that nobody owns the called bus name (D-Bus specification, "Message Bus Messages"). */
    static final Set<String> NO_OWNER = Set.of("org.freedesktop.DBus.Error.ServiceUnknown",
            "org.freedesktop.DBus.Error.NameHasNoOwner");
    static final Set<String> UNAVAILABLE = Set.of("org.freedesktop.DBus.Error.ServiceUnknown",
            "org.freedesktop.DBus.Error.NameHasNoOwner", "org.freedesktop.DBus.Error.NoReply",
            "org.freedesktop.DBus.Error.Disconnected", "org.freedesktop.DBus.Error.Timeout",
            "org.freedesktop.DBus.Error.TimedOut", "org.freedesktop.DBus.Error.UnknownObject");

    /** systemd, the service manager: the {@code unit:*} commands and {@link dev.ovs.networkd.Systemd}. */
    static final Calls SYSTEMD = new Calls("systemd", "org.freedesktop.systemd1",
            "systemd runs as the system manager (PID 1) only; a sandbox or a container without it has none");
    /** systemd-networkd: the {@code net:*} commands and {@link dev.ovs.networkd.Networkd}. */
    static final Calls NETWORKD = new Calls("systemd-networkd", "org.freedesktop.network1",
            "start it (systemctl start systemd-networkd) or point dev.ovs.networkd at the bus it is on");

    private final String daemon;
    private final String busName;
    private final String hint;

    /**
     * @param daemon  the daemon's name for messages, e.g. {@code systemd-networkd}
     * @param busName the well-known bus name it owns, e.g. {@code org.freedesktop.network1}
     * @param hint    what to do when it is absent, one clause
     */
    Calls(String daemon, String busName, String hint) {
        this.daemon = daemon;
        this.busName = busName;
        this.hint = hint;
    }

    /** A call that may throw dbus-java's checked exception. */
    interface Call<T> {
        T call() throws DBusException;
    }

    /**
     * Runs a D-Bus call, mapping failures.
     *
     * @param what description for messages, e.g. {@code StartUnit(x.service)}
     * @param call the call
     * @return its result
     * @throws NetworkdException the mapped failure (see {@link #map})
     */
    <T> T run(String what, Call<T> call) {
        try {
            return call.call();
        } catch (NetworkdException e) {
            throw e;
        } catch (DBusExecutionException e) {
            throw map(what, e);
        } catch (DBusException e) {
            throw new NetworkdException(ErrorKind.Failed, what + " failed: " + e.getMessage(), null, e);
        } catch (RuntimeException e) {
            throw new NetworkdException(ErrorKind.Failed, what + " failed: " + e, null, e);
        }
    }

    <T> T get(String what, Supplier<T> s) {
        return run(what, s::get);
    }

    /**
     * The D-Bus error name of a failed call. dbus-java 5.2.0 keeps the name only as the exception's class:
     * {@code org.freedesktop.DBus.Error.X} becomes {@code org.freedesktop.dbus.errors.X}, other names a class
     * of that binary name if one exists (ours: {@code org.freedesktop.systemd1.NoSuchUnit}, ...), otherwise a
     * plain {@link DBusExecutionException} whose name is lost (then "").
     */
    static String errorName(DBusExecutionException e) {
        Class<?> c = e.getClass();
        if (c == DBusExecutionException.class) {
            return "";
        }
        if (c.getPackageName().equals("org.freedesktop.dbus.errors")) {
            return "org.freedesktop.DBus.Error." + c.getSimpleName();
        }
        return c.getName().replace('$', '.');
    }

    /**
     * Maps a D-Bus error: NotFound for the NoSuch* errors, Unavailable when the service has no owner or does not
     * answer, ConstraintViolation for InvalidArgs, Failed otherwise. The message is {@code WHAT: MESSAGE (ERROR)};
     * for a missing owner {@code WHAT: DAEMON is not running on this D-Bus bus (nobody owns BUS-NAME; HINT) (ERROR)}.
     *
     * @param what the call, e.g. {@code LoadUnit(ssh.service)}
     * @param e    dbus-java's exception
     * @return the exception to throw
     */
    NetworkdException map(String what, DBusExecutionException e) {
        String name = errorName(e);
        ErrorKind kind;
        if (NOT_FOUND.contains(name)) {
            kind = ErrorKind.NotFound;
        } else if (UNAVAILABLE.contains(name) || name.contains("NotConnected")) {
            kind = ErrorKind.Unavailable;
        } else if (name.equals("org.freedesktop.DBus.Error.InvalidArgs")) {
            kind = ErrorKind.ConstraintViolation;
        } else {
            kind = ErrorKind.Failed;
        }
        String detail = NO_OWNER.contains(name)
                ? daemon + " is not running on this D-Bus bus (nobody owns " + busName + "; " + hint + ")"
                : e.getMessage();
        return new NetworkdException(kind, what + ": " + detail + (name.isEmpty() ? "" : " (" + name + ")"),
                name.isEmpty() ? null : name, e);
    }
}
