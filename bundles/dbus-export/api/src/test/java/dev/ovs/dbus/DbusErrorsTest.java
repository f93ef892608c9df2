package dev.ovs.dbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.junit.jupiter.api.Test;

/** The one exception → D-Bus error mapping, and the namespace rule. */
class DbusErrorsTest {
    @DBusInterfaceName("dev.ovs.test.Plain1")
    interface Plain extends DBusInterface {
    }

    @DBusInterfaceName("dev.ovs.test.Vlan1")
    @ErrorNamespace("dev.ovs.test.Switch1.Error")
    interface Declared extends DBusInterface {
    }

    @ErrorNamespace("not a name")
    interface Bad extends DBusInterface {
    }

    static final String NS = "dev.ovs.test.Switch1.Error";

    @Test
    void invalidArgumentsAreInvalidArgsWithArgumentAndRule() {
        DbusError e = DbusErrors.map(new InvalidArgumentException("bridge", "must not be empty"), NS, "AddPort");
        assertThat(e.errorName()).isEqualTo("org.freedesktop.DBus.Error.InvalidArgs");
        assertThat(e.getMessage()).isEqualTo("bridge: must not be empty");
    }

    @Test
    void everyKindIsNamespaceDotKindWithTheMember() {
        for (ErrorKind k : ErrorKind.values()) {
            DbusError e = DbusErrors.map(new DomainException(k, "details", null), NS, "CreateBridge");
            assertThat(e.errorName()).isEqualTo(NS + "." + k.name());
            assertThat(e.getMessage()).isEqualTo("CreateBridge: details");
        }
        assertThat(DbusErrors.map(new DomainException(ErrorKind.Timeout, "t", null), "dev.ovs.test.Agent1.Error", null)
                .toString()).isEqualTo("dev.ovs.test.Agent1.Error.Timeout: t");
    }

    @Test
    void wrappersAreUnwrapped() {
        DomainException d = new DomainException(ErrorKind.Unavailable, "away", null);
        for (Throwable w : new Throwable[] {new CompletionException(d), new ExecutionException(d),
                new InvocationTargetException(new CompletionException(d))}) {
            assertThat(DbusErrors.map(w, NS, "M").errorName()).isEqualTo(NS + ".Unavailable");
        }
    }

    @Test
    void dbusErrorsPassThroughAndAnythingElseIsFailed() {
        DbusError custom = new DbusError("dev.ovs.Vlan1.Error.Odd", "odd");
        assertThat(DbusErrors.map(custom, NS, "M")).isSameAs(custom);
        // a dbus-java exception: named like dbus-java names it (its class, '$' -> '.')
        assertThat(DbusErrors.map(new DBusExecutionException("x"), NS, "M").errorName())
                .isEqualTo("org.freedesktop.dbus.exceptions.DBusExecutionException");
        DbusError f = DbusErrors.map(new IllegalArgumentException("bridge: looks typed but is not"), NS, "M");
        assertThat(f.errorName()).isEqualTo(NS + ".Failed");
        assertThat(f.getMessage()).isEqualTo("M: java.lang.IllegalArgumentException: bridge: looks typed but is not");
    }

    @Test
    void namespaceIsDeclaredOnTheInterfaceOrTheConventionalDefault() {
        assertThat(DbusErrors.namespaceOf(Declared.class)).isEqualTo("dev.ovs.test.Switch1.Error");
        assertThat(DbusErrors.namespaceOf(Plain.class)).isEqualTo("dev.ovs.test.Plain1.Error");
        assertThat(DbusErrors.namespaceOf(Bad.class)).isEqualTo("dev.ovs.dbus.DbusErrorsTest.Bad.Error");
    }

    @Test
    void errorNamesFollowTheDbusRule() {
        assertThat(DbusErrors.errorNameViolation("org.freedesktop.DBus.Error.InvalidArgs")).isNull();
        assertThat(DbusErrors.errorNameViolation("_a.b9")).isNull();
        for (String bad : new String[] {null, "", "single", "a..b", "a.9b", "a.b-c", "a.b.", ".a.b", "a.b c",
                "a." + "x".repeat(255)}) {
            assertThat(DbusErrors.errorNameViolation(bad)).as(String.valueOf(bad)).isNotNull();
        }
        assertThatThrownBy(() -> new DbusError("no-dots", "m")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("errorName: ");
        assertThatThrownBy(() -> DbusErrors.of("bad ns", ErrorKind.Failed, "m"))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
