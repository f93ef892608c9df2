package dev.ovs.networkd.internal;

import dev.ovs.networkd.NetworkdException;
import dev.ovs.base.ErrorKind;
import java.util.Set;
import java.util.function.Supplier;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;

/** Maps D-Bus failures to {@link NetworkdException}s with clear messages. */
final class Calls {
    static final Set<String> NOT_FOUND = Set.of("org.freedesktop.systemd1.NoSuchUnit",
            "org.freedesktop.resolve1.NoSuchLink", "org.freedesktop.systemd1.NoSuchJob", "org.freedesktop.DBus.Error.FileNotFound");
    static final Set<String> UNAVAILABLE = Set.of("org.freedesktop.DBus.Error.ServiceUnknown",
            "org.freedesktop.DBus.Error.NameHasNoOwner", "org.freedesktop.DBus.Error.NoReply",
            "org.freedesktop.DBus.Error.Disconnected", "org.freedesktop.DBus.Error.Timeout",
            "org.freedesktop.DBus.Error.TimedOut", "org.freedesktop.DBus.Error.UnknownObject");

    private Calls() {
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
     */
    static <T> T run(String what, Call<T> call) {
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

    static void runVoid(String what, Call<Void> call) {
        run(what, call);
    }

    static <T> T get(String what, Supplier<T> s) {
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

    static NetworkdException map(String what, DBusExecutionException e) {
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
        return new NetworkdException(kind, what + ": " + e.getMessage() + (name.isEmpty() ? "" : " (" + name + ")"),
                name.isEmpty() ? null : name, e);
    }
}
