package dev.ovs.dbusjava;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InlineDispatch} on a real dbus-daemon (test harness): a server connection exports an object, a second
 * connection calls it. Checks on which thread each member runs, that answers stay correct under concurrency,
 * that a blocked pool call does not hold up inline calls, the slow-call guard, and errors.
 */
class InlineDispatchBusTest {
    static final String NAME = "dev.ovs.test.Inline";
    static final String PATH = "/dev/ovs/test/Inline";
    static final String IFACE = "dev.ovs.test.Inline";

    /** Test interface; {@code Fast} and {@code Slow} are made inline by the predicate, {@code Pooled} is not. */
    @DBusInterfaceName(IFACE)
    public interface Inline extends DBusInterface {
        /**
         * @param n any number
         * @return the name of the thread that ran the call, then ":" and {@code n}
         */
        String Fast(int n);

        /**
         * @param ms how long to sleep, ms
         * @return the running thread's name
         */
        String Slow(int ms);

        /**
         * Waits until {@link #release} is called (at most 10 s).
         *
         * @return the running thread's name
         */
        String Pooled();

        /**
         * @param why message of the error thrown
         * @return never
         */
        String Fails(String why);
    }

    static final class InlineImpl implements Inline {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch pooledRunning = new CountDownLatch(1);

        @Override
        public String Fast(int n) {
            return Thread.currentThread().getName() + ":" + n;
        }

        @Override
        public String Slow(int ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Thread.currentThread().getName();
        }

        @Override
        public String Pooled() {
            pooledRunning.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Thread.currentThread().getName();
        }

        @Override
        public String Fails(String why) {
            throw new DBusExecutionException(why);
        }

        @Override
        public String getObjectPath() {
            return PATH;
        }
    }

    private ShortTempDir dir;
    private DbusDaemon bus;
    private DBusConnection server;
    private DBusConnection client;
    private InlineImpl impl;
    private InlineDispatch dispatch;
    private Inline remote;

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        server = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build();
        dispatch = InlineDispatch.install(server, call -> IFACE.equals(call.getInterface())
                && !"Pooled".equals(call.getName()));
        impl = new InlineImpl();
        server.requestBusName(NAME);
        server.exportObject(PATH, impl);
        client = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build();
        remote = client.getRemoteObject(NAME, PATH, Inline.class);
    }

    @AfterEach
    void tearDown() throws Exception {
        impl.release.countDown();
        try {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.close();
            }
        } finally {
            if (bus != null) {
                bus.close();
            }
            dir.close();
        }
    }

    @Test
    void acceptedCallsRunOnTheReaderThreadAndOthersOnThePool() {
        assertThat(dispatch.installed()).as("refusal: " + dispatch.refusal()).isTrue();
        String fast = remote.Fast(7);
        // dbus-java names the reader thread "DBusConnection [listener=false]", pool threads "DBus-MethodCall-Receiver-n"
        assertThat(fast).startsWith("DBusConnection").endsWith(":7");
        assertThat(remote.Pooled()).startsWith("DBus-MethodCall-Receiver-");
        assertThat(dispatch.inlineCalls()).isEqualTo(1);
        assertThat(dispatch.demoted()).isEmpty();
    }

    @Test
    void installingTwiceIsRefusedAndChangesNothing() {
        InlineDispatch again = InlineDispatch.install(server, call -> false);
        assertThat(again.installed()).isFalse();
        assertThat(again.refusal()).contains("already installed");
        assertThat(remote.Fast(1)).startsWith("DBusConnection");
    }

    @Test
    void manyConcurrentCallersGetTheirOwnAnswers() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                int n = i;
                answers.add(callers.submit(() -> remote.Fast(n)));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).endsWith(":" + i);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(dispatch.inlineCalls()).isEqualTo(4000);
    }

    @Test
    void aBlockedPoolCallDoesNotHoldUpInlineCalls() throws Exception {
        CompletableFuture<String> pooled = CompletableFuture.supplyAsync(remote::Pooled);
        assertThat(impl.pooledRunning.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50; i++) {
            assertThat(remote.Fast(i)).endsWith(":" + i);
        }
        assertThat(pooled).isNotDone();
        impl.release.countDown();
        assertThat(pooled.get(10, TimeUnit.SECONDS)).startsWith("DBus-MethodCall-Receiver-");
    }

    @Test
    void errorsOfInlineCallsReachTheCaller() {
        DBusExecutionException e = null;
        try {
            remote.Fails("no such thing");
        } catch (DBusExecutionException ex) {
            e = ex;
        }
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("no such thing");
        assertThat(remote.Fast(2)).startsWith("DBusConnection").endsWith(":2"); // the reader thread lives on
    }

    @Test
    void aMemberThatIsSlowTenTimesGoesToThePool() {
        for (int i = 0; i < 10; i++) {
            assertThat(remote.Slow(12)).startsWith("DBusConnection");
        }
        // the tenth slow call is counted after its reply has left the reader thread: wait for the count
        long until = System.nanoTime() + 5_000_000_000L;
        while (dispatch.demoted().isEmpty() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertThat(dispatch.demoted()).containsExactly(IFACE + ".Slow");
        assertThat(remote.Slow(0)).startsWith("DBus-MethodCall-Receiver-");
        assertThat(remote.Fast(3)).startsWith("DBusConnection"); // other members stay inline
    }
}
