package dev.ovs.dbus;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the error namespace of a D-Bus interface (a Java interface extending dbus-java's
 * {@code DBusInterface}): the prefix of the error names its members answer with. A failure of kind
 * {@link dev.ovs.base.ErrorKind} {@code K} is the D-Bus error {@code <value>.K}, and the placeholder that holds an
 * export while its bundle is updated answers {@code <value>.Unavailable} ({@link DbusErrors#map},
 * {@link DbusErrors#namespaceOf(Class)}).
 *
 * <pre>
 * &#64;DBusInterfaceName("dev.ovs.Vlan1")
 * &#64;ErrorNamespace("dev.ovs.Switch1.Error")   // the errors of the switch service it builds on
 * public interface Vlan1 extends DBusInterface { ... }
 * </pre>
 *
 * Without the annotation the namespace is {@code <D-Bus interface name>.Error} (the D-Bus convention, e.g.
 * {@code dev.ovs.Vlan1.Error}). The value must be a valid D-Bus error name itself (D-Bus specification,
 * "Valid Error Names": two or more {@code '.'}-separated elements of {@code [A-Za-z0-9_]}, none starting with
 * a digit, at most 255 characters with the kind appended); an invalid value is ignored, logged, and the
 * default applies.
 *
 * @since dev.ovs.dbus 2.0.0
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ErrorNamespace {
    /** @return the error name prefix without the trailing dot, e.g. {@code dev.ovs.Switch1.Error} */
    String value();
}
