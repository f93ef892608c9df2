package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.Map;
import org.freedesktop.dbus.Marshalling;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.junit.jupiter.api.Test;

/**
 * dbus-java's static caches fill with the classes it reflects on (a signal, a struct); {@link DbusJavaCaches#purge}
 * removes exactly the entries naming the classes its predicate calls stale (in OSGi: of bundle revisions that
 * are gone) and keeps the others.
 */
class DbusJavaCachesTest {

    /** A D-Bus interface with one signal, as a port agent or extension bundle has. */
    @DBusInterfaceName("dev.ovs.test.Cached1")
    public interface Cached1 extends DBusInterface {
        /** The signal. */
        class Pinged extends DBusSignal {
            /** @param path object path @param what text @throws DBusException never here */
            public Pinged(String path, String what) throws DBusException {
                super(path, what);
            }
        }
    }

    /** A struct, as the port agent's ListPorts returns. */
    public static final class Pair extends Struct {
        /** First. */
        @Position(0)
        public final String a;
        /** Second. */
        @Position(1)
        public final String b;

        /** @param a first @param b second */
        public Pair(String a, String b) {
            this.a = a;
            this.b = b;
        }
    }

    /** Another struct, which is not stale. */
    public static final class Other extends Struct {
        /** Only field. */
        @Position(0)
        public final String a;

        /** @param a field */
        public Other(String a) {
            this.a = a;
        }
    }

    private static int entriesNaming(Class<?> c) throws Exception {
        int n = 0;
        for (String[] f : DbusJavaCaches.CACHES) {
            Field fd = Class.forName(f[0]).getDeclaredField(f[1]);
            fd.setAccessible(true);
            for (Map.Entry<?, ?> e : ((Map<?, ?>) fd.get(null)).entrySet()) {
                if (String.valueOf(e.getKey()).contains(c.getName()) || String.valueOf(e.getValue()).contains(c.getName())) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void purgeRemovesTheEntriesOfStaleClassesOnly() throws Exception {
        new Cached1.Pinged("/dev/ovs/test", "x");
        Marshalling.getDBusType(Pair.class);
        Marshalling.getDBusType(Other.class);
        assertThat(entriesNaming(Cached1.Pinged.class)).as("signal cached").isPositive();
        assertThat(entriesNaming(Pair.class)).as("struct cached").isPositive();

        assertThat(DbusJavaCaches.purge(c -> false)).isZero();
        assertThat(entriesNaming(Pair.class)).isPositive();

        int removed = DbusJavaCaches.purge(c -> c == Cached1.Pinged.class || c == Pair.class);
        assertThat(removed).isPositive();
        assertThat(entriesNaming(Cached1.Pinged.class)).isZero();
        assertThat(entriesNaming(Pair.class)).isZero();
        assertThat(entriesNaming(Other.class)).as("other entries stay").isPositive();
    }

    @Test
    void classesOutsideBundlesAreNeverStale() {
        assertThat(DbusJavaCaches.stale(String.class)).isFalse();
        assertThat(DbusJavaCaches.stale(Pair.class)).isFalse();
    }
}
