package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.DbusError;
import dev.ovs.dbus.DbusErrors;
import org.junit.jupiter.api.Test;

/** The classes that carry D-Bus error names to dbus-java (what it puts on the wire is their name). */
class WireErrorsTest {
    @Test
    void aClassNamedLikeTheErrorCarriesNameMessageCauseAndStack() {
        WireErrors w = new WireErrors();
        IllegalStateException cause = new IllegalStateException("root");
        DbusError e = new DbusError("dev.ovs.test.Switch1.Error.NotFound", "no bridge named 'x'");
        e.initCause(cause);
        DbusError onWire = w.onWire(e);
        assertThat(onWire.getClass().getName()).isEqualTo("dev.ovs.test.Switch1.Error.NotFound");
        assertThat(onWire.getClass().getSuperclass()).isEqualTo(DbusError.class);
        assertThat(onWire.errorName()).isEqualTo(e.errorName());
        assertThat(onWire.getMessage()).isEqualTo("no bridge named 'x'");
        assertThat(onWire.getCause()).isSameAs(cause);
        assertThat(onWire.getStackTrace()).isEqualTo(e.getStackTrace());
        // one class per name, reused; an error already of its class is passed on as is
        DbusError again = w.onWire(DbusErrors.invalidArgs("a", "b"));
        assertThat(w.onWire(new DbusError("dev.ovs.test.Switch1.Error.NotFound", "y")).getClass())
                .isSameAs(onWire.getClass());
        assertThat(w.onWire(again)).isSameAs(again);
        assertThat(w.definedClasses()).isEqualTo(2);
        // the class loader belongs to this object: another one defines its own class
        assertThat(new WireErrors().onWire(e).getClass()).isNotSameAs(onWire.getClass());
    }

    @Test
    void aNameTheJvmRefusesFallsBackToTheErrorItself() {
        DbusError e = new DbusError("java.lang.Oops", "x"); // a valid D-Bus name in a prohibited package
        assertThat(new WireErrors().onWire(e)).isSameAs(e);
    }
}
