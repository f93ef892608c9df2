package dev.ovs.dbus;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.utils.DBusNamingUtil;

/**
 * The one mapping from Patchbay exceptions to D-Bus errors, and the factories for the error names pinned in
 * DESIGN.md ("Pinned external contracts / D-Bus").
 *
 * <p>{@link #map(Throwable, String, String)}, applied by the whiteboard exporter to every exception a member of
 * an exported object throws, with the namespace its interface declares ({@link ErrorNamespace}):
 * <table>
 * <caption>exception → D-Bus error</caption>
 * <tr><th>thrown</th><th>error name</th><th>message</th></tr>
 * <tr><td>{@link DbusError}</td><td>its {@link DbusError#errorName()}</td><td>its message</td></tr>
 * <tr><td>another dbus-java {@code DBusExecutionException}</td><td>its class name, {@code '$'} → {@code '.'}
 * (what dbus-java itself sends)</td><td>its message</td></tr>
 * <tr><td>{@link InvalidArgumentException}</td><td>{@value #INVALID_ARGS}</td>
 * <td>{@code <argument>: <rule>}</td></tr>
 * <tr><td>{@link DomainException}</td><td>{@code <namespace>.<kind>}</td><td>{@code <member>: <message>}</td></tr>
 * <tr><td>anything else (logged as a warning with its stack trace)</td><td>{@code <namespace>.Failed}</td>
 * <td>{@code <member>: <exception>}</td></tr>
 * </table>
 * {@code CompletionException}, {@code ExecutionException}, {@code InvocationTargetException} and
 * {@code UndeclaredThrowableException} are unwrapped to their cause first. Nothing is parsed out of a message.
 *
 * <pre>
 * throw new InvalidArgumentException("bridge", "must not be empty");   // org.freedesktop.DBus.Error.InvalidArgs
 * throw new DomainException(ErrorKind.NotFound, "no port p9", null);   // &lt;namespace&gt;.NotFound
 * throw DbusErrors.of("dev.ovs.Vlan1.Error", ErrorKind.Conflict, "...");  // dev.ovs.Vlan1.Error.Conflict
 * </pre>
 *
 * @since dev.ovs.dbus 2.0.0 (the mapping; {@link #invalidArgs} since 1.0.0)
 */
public final class DbusErrors {
    /** Error name for bad input (D-Bus specification, "Standard error names"): {@value}. */
    public static final String INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs";
    /** Error name of a call refused by a {@link DbusAuthorizer} (D-Bus specification): {@value}. */
    public static final String ACCESS_DENIED = "org.freedesktop.DBus.Error.AccessDenied";
    /** Longest D-Bus name, in characters (D-Bus specification, "Valid Names"): {@value}. */
    public static final int MAX_NAME_LENGTH = 255;

    private static final System.Logger LOG = System.getLogger(DbusErrors.class.getName());

    private DbusErrors() {
    }

    /**
     * Bad input: {@value #INVALID_ARGS} with message {@code "<argument>: <rule>"}.
     *
     * @param argument the argument's name as in the interface documentation, e.g. {@code bridge}
     * @param rule     the rule that was broken, e.g. {@code must not be empty}
     * @return the exception to throw
     * @throws NullPointerException if an argument is null
     */
    public static DbusError invalidArgs(String argument, String rule) {
        return new DbusError(INVALID_ARGS, Objects.requireNonNull(argument, "argument") + ": "
                + Objects.requireNonNull(rule, "rule"));
    }

    /**
     * The error {@code <namespace>.<kind>}.
     *
     * @param namespace an error namespace such as {@code dev.ovs.Vlan1.Error} ({@link ErrorNamespace})
     * @param kind      the kind, not null
     * @param message   human readable message, not null
     * @return the exception to throw
     * @throws InvalidArgumentException {@code errorName} if {@code namespace + "." + kind} is not a valid error
     *                                  name
     * @throws NullPointerException     if kind or message is null
     */
    public static DbusError of(String namespace, ErrorKind kind, String message) {
        return new DbusError(namespace + "." + Objects.requireNonNull(kind, "kind").name(), message);
    }

    /**
     * The error namespace of a D-Bus interface: the value of its {@link ErrorNamespace} annotation, else
     * {@code <D-Bus interface name>.Error} (the name of {@code @DBusInterfaceName}, or the Java name with
     * {@code '$'} as {@code '.'}).
     *
     * @param dbusInterface a Java interface extending dbus-java's {@code DBusInterface}, not null
     * @return the namespace, e.g. {@code dev.ovs.Vlan1.Error}
     */
    public static String namespaceOf(Class<?> dbusInterface) {
        ErrorNamespace declared = dbusInterface.getAnnotation(ErrorNamespace.class);
        if (declared != null) {
            String bad = errorNameViolation(declared.value() + ".ConstraintViolation");
            if (bad == null) {
                return declared.value();
            }
            LOG.log(Level.WARNING, "dev.ovs.dbus: @ErrorNamespace(\"" + declared.value() + "\") of "
                    + dbusInterface.getName() + " is not a valid error name prefix (" + bad + "); using the default");
        }
        return DBusNamingUtil.getInterfaceName(dbusInterface).replace('$', '.') + ".Error";
    }

    /**
     * Maps what a member of an exported object threw to the D-Bus error its caller gets (table in the class
     * comment).
     *
     * @param failure   what the member threw, not null
     * @param namespace the error namespace of the member's interface ({@link #namespaceOf(Class)})
     * @param member    the D-Bus member name, the prefix of the message of domain and unexpected failures;
     *                  null or empty for no prefix
     * @return the D-Bus error
     * @throws InvalidArgumentException {@code errorName} if the namespace is not a valid error name prefix and is
     *                                  needed
     */
    public static DbusError map(Throwable failure, String namespace, String member) {
        Throwable t = unwrap(Objects.requireNonNull(failure, "failure"));
        if (t instanceof DbusError e) {
            return e;
        }
        if (t instanceof DBusExecutionException e) {
            return new DbusError(e.getClass().getName().replace('$', '.'), String.valueOf(e.getMessage()));
        }
        if (t instanceof InvalidArgumentException e) {
            return invalidArgs(e.argument(), e.rule());
        }
        String prefix = member == null || member.isEmpty() ? "" : member + ": ";
        if (t instanceof DomainException e) {
            return of(namespace, e.kind(), prefix + e.getMessage());
        }
        LOG.log(Level.WARNING, "dev.ovs.dbus: " + (prefix.isEmpty() ? "a D-Bus member" : member)
                + " failed unexpectedly; answered " + namespace + ".Failed", t);
        return of(namespace, ErrorKind.Failed, prefix + t);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; depth < 16 && t.getCause() != null && (t instanceof CompletionException
                || t instanceof ExecutionException || t instanceof InvocationTargetException
                || t instanceof UndeclaredThrowableException); depth++) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * The rule for error names (D-Bus specification, "Valid Error Names", the rule of interface names): two or
     * more elements separated by {@code '.'}, each of one or more of {@code [A-Za-z0-9_]}, not starting with a
     * digit; at most {@value #MAX_NAME_LENGTH} characters.
     *
     * @param name a candidate error name, may be null
     * @return the broken rule, or null when {@code name} is valid
     */
    public static String errorNameViolation(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "must be at most " + MAX_NAME_LENGTH + " characters, got " + name.length();
        }
        String[] elements = name.split("\\.", -1);
        if (elements.length < 2) {
            return "must have two or more '.'-separated elements: " + name;
        }
        for (String e : elements) {
            if (e.isEmpty() || (e.charAt(0) >= '0' && e.charAt(0) <= '9')) {
                return "elements must be non-empty and not start with a digit: " + name;
            }
            for (int i = 0; i < e.length(); i++) {
                char c = e.charAt(i);
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                    return "elements must consist of [A-Za-z0-9_]: " + name;
                }
            }
        }
        return null;
    }
}
