package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.DbusConnectionListener;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link BusConnector} against a real dbus-daemon that is restarted under it. */
class BusConnectorIT {
    private ShortTempDir dir;
    private DbusDaemon bus;
    private BusConnector connector;

    @BeforeEach
    void setUp() {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
    }

    @AfterEach
    void tearDown() {
        if (connector != null) {
            connector.close();
        }
        bus.close();
        dir.close();
    }

    /**
     * A listener still busy with {@code disconnected()} after the bus went away (e.g. a call on the dropped
     * connection waiting for its reply timeout) does not hold the connector's lock: {@link BusConnector#close()}
     * on another thread (a bundle stopping) returns while the listener is still in it.
     */
    @Test
    void closeIsNotHeldUpByAListenerBusyWithTheLoss() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        CountDownLatch inDisconnected = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        connector = new BusConnector(bus.address(), m -> false);
        connector.addListener(new DbusConnectionListener() {
            @Override
            public void connected(DBusConnection c) {
                connected.countDown();
            }

            @Override
            public void disconnected() {
                inDisconnected.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        connector.start();
        assertThat(connected.await(30, TimeUnit.SECONDS)).as("connected").isTrue();

        bus.stop();
        assertThat(inDisconnected.await(30, TimeUnit.SECONDS)).as("loss noticed, listener called").isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(connector::close);
        try {
            // generous: close() waits at most 5 s for the connector thread; with the lock held it waited 60 s
            closing.get(20, TimeUnit.SECONDS);
            assertThat(release.getCount()).as("closed while the listener was still in disconnected()").isEqualTo(1);
        } finally {
            release.countDown();
        }
        assertThat(connector.connection()).isEmpty();
    }

    /** After a restart of dbus-daemon the connector is connected again, with a new unique name. */
    @Test
    void reconnectsAfterTheBusRestarts() throws Exception {
        connector = new BusConnector(bus.address(), m -> false);
        connector.start();
        ConnectionAndWhiteboardIT.await("connected", () -> connector.connection().isPresent());
        String first = connector.connection().orElseThrow().getUniqueName();
        bus.restart();
        ConnectionAndWhiteboardIT.await("reconnected", () -> connector.connection().isPresent()
                && connector.connectCount() == 2);
        assertThat(bus.busctl("call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "ListNames")).contains(connector.connection().orElseThrow().getUniqueName());
        assertThat(first).isNotNull();
    }
}
