package dev.ovs.dbusjava.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.AbstractConnection;
import org.freedesktop.dbus.connections.base.AbstractConnectionBase;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.connections.transports.AbstractTransport;
import org.freedesktop.dbus.connections.transports.TransportConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * dbus-java connections to a real dbus-daemon (test harness) use the coalescing provider, and method calls,
 * large messages, signals and many concurrent calls go through it intact.
 */
class CoalescingProviderBusTest {
    static final String NAME = "dev.ovs.test.Echo";
    static final String PATH = "/dev/ovs/test/Echo";

    /** Test interface exported by one connection and called from another. */
    @DBusInterfaceName("dev.ovs.test.Echo")
    public interface Echo extends DBusInterface {
        /**
         * @param s any string
         * @return {@code s}
         */
        String Echo(String s);

        /** Signal carrying one string. */
        class Said extends DBusSignal {
            private final String text;

            /**
             * @param path object path
             * @param text payload
             * @throws DBusException if dbus-java cannot marshal it
             */
            public Said(String path, String text) throws DBusException {
                super(path, text);
                this.text = text;
            }

            String text() {
                return text;
            }
        }
    }

    static final class EchoImpl implements Echo {
        @Override
        public String Echo(String s) {
            return s;
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

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        server = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build();
        server.requestBusName(NAME);
        server.exportObject(PATH, new EchoImpl());
        client = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build();
    }

    @AfterEach
    void tearDown() throws Exception {
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

    private static TransportConnection transport(AbstractConnection c) throws Exception {
        Method m = AbstractConnectionBase.class.getDeclaredMethod("getTransport");
        m.setAccessible(true);
        return ((AbstractTransport) m.invoke(c)).getTransportConnection();
    }

    private static String text(int length, long seed) {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) (r.nextInt(5) == 0 ? 0x4e00 + r.nextInt(500) : 'a' + r.nextInt(26)));
        }
        return s.toString();
    }

    @Test
    void connectionsUseTheCoalescingProviderAndACallIsOneWrite() throws Exception {
        for (DBusConnection c : List.of(server, client)) {
            TransportConnection t = transport(c);
            assertThat(t.getSocketProviderImpl()).isInstanceOf(CoalescingSocketProvider.class);
            assertThat(t.getWriter()).isInstanceOf(CoalescingMessageWriter.class);
            assertThat(t.getReader()).isInstanceOf(BufferedMessageReader.class);
        }
        CoalescingMessageWriter w = (CoalescingMessageWriter) transport(client).getWriter();
        DBus daemon = client.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
        assertThat(daemon.GetId()).matches("[0-9a-f]{32}");
        long before = w.writeCalls();
        assertThat(daemon.GetId()).matches("[0-9a-f]{32}");
        assertThat(w.writeCalls() - before).as("SocketChannel.write calls for one method call").isEqualTo(1);
        assertThat(daemon.NameHasOwner(NAME)).isTrue();
    }

    @Test
    void callsRoundTripSmallAndOneMebibyteStrings() throws Exception {
        Echo echo = client.getRemoteObject(NAME, PATH, Echo.class);
        assertThat(echo.Echo("")).isEmpty();
        assertThat(echo.Echo("hello")).isEqualTo("hello");
        for (int size : new int[] {CoalescingMessageWriter.BUFFER_SIZE - 100, CoalescingMessageWriter.BUFFER_SIZE + 100, 1 << 20}) {
            String s = text(size, size);
            assertThat(echo.Echo(s)).as("echo of %d chars", size).isEqualTo(s);
        }
    }

    @Test
    void signalsArriveInOrderWithTheirPayload() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        client.addSigHandler(Echo.Said.class, sig -> got.add(sig.text()));
        // make sure the match rule is installed at the daemon before sending: a round trip after AddMatch
        client.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class).GetId();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add(i == 25 ? text(300_000, 25) : "signal-" + i);
        }
        for (String s : sent) {
            server.sendMessage(new Echo.Said(PATH, s));
        }
        for (String s : sent) {
            String g = got.poll(30, TimeUnit.SECONDS);
            assertThat(g).as("signal payload").isEqualTo(s);
        }
    }

    @Test
    void manyConcurrentCallsFromSeveralThreadsStayIntact() throws Exception {
        Echo echo = client.getRemoteObject(NAME, PATH, Echo.class);
        int threads = 8;
        int calls = 150;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(id);
                    int ok = 0;
                    for (int i = 0; i < calls; i++) {
                        int len = r.nextInt(10) == 0 ? 60_000 + r.nextInt(20_000) : r.nextInt(2_000);
                        String s = "t" + id + "-c" + i + ":" + text(len, id * 100_000L + i);
                        String back = echo.Echo(s);
                        if (!s.equals(back)) {
                            throw new AssertionError("thread " + id + " call " + i + ": answer differs (" + back.length()
                                    + " chars back for " + s.length() + ")");
                        }
                        ok++;
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(300, TimeUnit.SECONDS)).isEqualTo(calls);
            }
        } finally {
            pool.shutdownNow();
        }
        // the connection survived: the same proxy still answers
        assertThat(echo.Echo("after")).isEqualTo("after");
        assertThat(client.isConnected()).isTrue();
    }
}
