package dev.ovs.itests.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.bus.Event;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.EventListener;
import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.framework.HostIsolation;
import dev.ovs.itests.harness.ShortTempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;

/**
 * The bus bundle ({@code dev.ovs.bus}) hot-swapped in a running Felix: a whiteboard listener
 * registered by another bundle (this test bundle) receives events again after each update with no code
 * of its own, and 50 updates leave the JVM's thread and file-descriptor counts where they were.
 */
@ExtendWith(HostIsolation.Check.class)
class BusHotSwapTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @InjectBundleContext
    BundleContext context;

    private ShortTempDir dir;
    private final CopyOnWriteArrayList<Event> received = new CopyOnWriteArrayList<>();
    private ServiceRegistration<EventListener> listener;

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        Path socket = dir.resolve("bus.sock");
        Hashtable<String, Object> cfg = new Hashtable<>();
        cfg.put("socket", socket.toString());
        cfg.put("heartbeat.seconds", 0);
        Frameworks.configure(context, "dev.ovs.bus", cfg);
        Frameworks.eventually("bus socket " + socket, WAIT, () -> socket.toFile().exists());
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventListener.TOPICS, new String[] {"itest.>"});
        listener = context.registerService(EventListener.class, received::add, props);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (listener != null) {
            listener.unregister();
        }
        // stop serving the socket first: the bus binds a removed socket file again, which would bring the
        // deleted directory back (empty /tmp/pbt-* leftovers)
        Path socket = dir.resolve("bus.sock");
        Hashtable<String, Object> off = new Hashtable<>();
        off.put("socket", "");
        off.put("heartbeat.seconds", 0);
        Frameworks.configure(context, "dev.ovs.bus", off);
        Frameworks.eventually("bus socket " + socket + " closed", WAIT, () -> !socket.toFile().exists());
        dir.close();
    }

    private void publishAndExpect(String topic) {
        EventBus bus = Frameworks.await(context, EventBus.class, WAIT);
        Frameworks.eventually("whiteboard listener gets " + topic, WAIT, () -> {
            bus.publish(topic, Map.of("n", 1), "test");
            return received.stream().anyMatch(e -> e.topic().equals(topic));
        });
    }

    @Test
    void whiteboardListenerReceivesAgainAfterUpdate() throws Exception {
        publishAndExpect("itest.before");
        Bundle bus = Frameworks.bundle(context, "dev.ovs.bus");
        Frameworks.update(bus);
        assertThat(bus.getState()).isEqualTo(Bundle.ACTIVE);
        publishAndExpect("itest.after");
        assertThat(received).extracting(Event::topic).contains("itest.before", "itest.after");
    }

    @Test
    void fiftyUpdatesLeakNoThreadsAndNoFileDescriptors() throws Exception {
        Bundle bus = Frameworks.bundle(context, "dev.ovs.bus");
        // warm up: first update loads classes and starts JVM-wide helpers (e.g. the Cleaner) once
        Frameworks.update(bus);
        publishAndExpect("itest.warm");
        System.gc();
        int threads = Frameworks.threads();
        int fds = Frameworks.fds();
        java.util.List<String> fdsBefore = Frameworks.fdTargets();
        for (int i = 0; i < 50; i++) {
            Frameworks.update(bus);
        }
        publishAndExpect("itest.after50");
        Frameworks.eventually("threads back to " + threads + " (now " + Frameworks.threads() + ")", WAIT,
                () -> Frameworks.threads() <= threads);
        Frameworks.eventually("fds back to " + fds + " (now " + Frameworks.fds() + "; new: "
                + Frameworks.fdTargets().stream().filter(t -> !fdsBefore.contains(t)).toList() + ")", WAIT, () -> {
            System.gc();
            return Frameworks.fds() <= fds;
        });
    }
}
