package dev.ovs.bus.internal;

import static dev.ovs.bus.internal.BusEngineTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Event;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Origin;
import dev.ovs.bus.Subscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.service.component.ComponentContext;

/** The DS components driven by hand (the in-framework tests live in itests/framework). */
@Timeout(120)
class BusCoreTest {
    private final Set<BundleListener> listeners = ConcurrentHashMap.newKeySet();
    private final ObjectMapper mapper = new ObjectMapper();
    private BusCore core;
    /** The bundle's data area ({@code BundleContext.getDataFile}). */
    @org.junit.jupiter.api.io.TempDir
    Path dataDir;

    @AfterEach
    void tearDown() {
        if (core != null) {
            core.deactivate(context());
        }
    }

    /** Configuration properties as Felix fileinstall passes them from a {@code .cfg} file: strings. */
    static Map<String, Object> config(String socket, int queue, int heartbeat, boolean enabled) {
        Map<String, Object> v = new HashMap<>();
        v.put("socket", socket);
        v.put("group", "");
        v.put("queue.size", String.valueOf(queue));
        v.put("heartbeat.seconds", String.valueOf(heartbeat));
        v.put("enabled", String.valueOf(enabled));
        return v;
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> {
                    switch (m.getName()) {
                        case "addBundleListener": listeners.add((BundleListener) a[0]); return null;
                        case "removeBundleListener": listeners.remove(a[0]); return null;
                        case "hashCode": return System.identityHashCode(p);
                        case "equals": return p == a[0];
                        case "getDataFile": return dataDir.resolve((String) a[0]).toFile();
                        default: throw new UnsupportedOperationException(m.getName());
                    }
                });
    }

    static Bundle bundle(String bsn, long id) {
        return (Bundle) Proxy.newProxyInstance(BusCoreTest.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> {
                    switch (m.getName()) {
                        case "getSymbolicName": return bsn;
                        case "getBundleId": return id;
                        case "getVersion": return Version.parseVersion("1.2.3");
                        case "hashCode": return (int) id;
                        case "equals": return p == a[0];
                        default: throw new UnsupportedOperationException(m.getName());
                    }
                });
    }

    private static Map<String, Object> props(long serviceId, Object topics) {
        Map<String, Object> m = new HashMap<>();
        m.put(Constants.SERVICE_ID, serviceId);
        if (topics != null) {
            m.put(EventListener.TOPICS, topics);
        }
        return m;
    }

    private BusCore activate(Map<String, Object> cfg) {
        core = core == null ? new BusCore() : core;
        core.activate(context(), cfg);
        return core;
    }

    @Test
    void whiteboardListenersFollowTheirServiceLifecycle() throws Exception {
        core = new BusCore();
        LinkedBlockingQueue<Event> early = new LinkedBlockingQueue<>();
        // bound before activation (DS binds dynamic references before activate)
        core.addListener(early::add, props(1, "a.>"));
        activate(config("", 16, 0, true));
        LinkedBlockingQueue<Event> late = new LinkedBlockingQueue<>();
        core.addListener(late::add, props(2, new String[] {"x.*", "y"}));
        LinkedBlockingQueue<Event> broken = new LinkedBlockingQueue<>();
        core.addListener(broken::add, props(3, "a.>.b"));
        core.addListener(broken::add, props(4, null));
        BusEngine bus = core.engine();
        bus.publish(Origin.bundle("t"), "a.b", mapper.createObjectNode(), null);
        bus.publish(Origin.bundle("t"), "x.q", mapper.createObjectNode(), null);
        bus.publish(Origin.bundle("t"), "y", mapper.createObjectNode(), null);
        assertThat(early.poll(10, TimeUnit.SECONDS).topic()).isEqualTo("a.b");
        assertThat(late.poll(10, TimeUnit.SECONDS).topic()).isEqualTo("x.q");
        assertThat(late.poll(10, TimeUnit.SECONDS).topic()).isEqualTo("y");
        assertThat(bus.stats().subscribers()).extracting(BusStats.SubscriberStats::owner)
                .containsExactlyInAnyOrder("whiteboard:1", "whiteboard:2");
        // service properties modified: new topics
        core.updatedListener(early::add, props(1, "z"));
        bus.publish(Origin.bundle("t"), "a.c", mapper.createObjectNode(), null);
        bus.publish(Origin.bundle("t"), "z", mapper.createObjectNode(), null);
        assertThat(early.poll(10, TimeUnit.SECONDS).topic()).isEqualTo("z");
        // unregistered: nothing more
        core.removeListener(late::add, props(2, null));
        bus.publish(Origin.bundle("t"), "y", mapper.createObjectNode(), null);
        assertThat(late.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(broken).isEmpty();
        // re-activation (config change, bundle update) re-subscribes the registered listeners
        core.deactivate(context());
        activate(config("", 16, 0, true));
        core.engine().publish(Origin.bundle("t"), "z", mapper.createObjectNode(), null);
        assertThat(early.poll(10, TimeUnit.SECONDS).topic()).isEqualTo("z");
    }

    @Test
    void bundleEventsArePublishedWithEncodedSymbolicNames() throws Exception {
        activate(config("", 16, 0, true));
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        core.engine().subscribe("t", List.of("system.bundle.>"), got::add);
        assertThat(listeners).containsExactly(core);
        core.bundleChanged(new BundleEvent(BundleEvent.STARTED, bundle("dev.ovs.ovsdb", 7)));
        core.bundleChanged(new BundleEvent(BundleEvent.UPDATED, bundle(null, 8)));
        Event e = got.poll(10, TimeUnit.SECONDS);
        assertThat(e.topic()).isEqualTo("system.bundle.dev%2Eovs%2Eovsdb.started");
        assertThat(e.type()).isEqualTo("started");
        assertThat(e.source()).isEqualTo("bus");
        assertThat(e.payload().get("bsn").asText()).isEqualTo("dev.ovs.ovsdb");
        assertThat(e.payload().get("id").asLong()).isEqualTo(7);
        assertThat(e.payload().get("version").asText()).isEqualTo("1.2.3");
        assertThat(got.poll(10, TimeUnit.SECONDS).topic()).isEqualTo("system.bundle.bundle-8.updated");
        core.deactivate(context());
        assertThat(listeners).isEmpty();
        core = null;
    }

    @Test
    void invalidConfigurationWithoutALastGoodOneFailsActivationNamingTheKey() {
        assertThatThrownBy(() -> activate(config("", 0, 0, true))).hasMessageStartingWith("queue.size: ");
        assertThatThrownBy(() -> activate(config("rel/bus.sock", 16, 0, true))).hasMessageStartingWith("socket: ");
        core = null;
    }

    @Test
    void withoutAConfigurationTheBusServesNoSocketAndKeepsNoneAsLastGood() throws Exception {
        // as SCR activates the component without a dev.ovs.bus configuration (none yet, or deleted): only the
        // component's own properties; no path of the host's may be bound. Checked on the settings first, so that a
        // wrong default fails here without binding anything
        assertThat(Settings.of(Map.of()).socket()).isNull();
        Map<String, Object> none = new HashMap<>(Map.of("component.name", "dev.ovs.bus", "component.id", 7L));
        activate(none);
        assertThat(core.engine().settings.socket()).isNull();
        assertThat(core.stats().socket()).isEmpty();
        core.deactivate(context());

        // a rejected configuration falls back to the one kept from that activation: still no socket
        activate(config("relative/bus.sock", 16, 0, true));
        assertThat(core.stats().configError()).startsWith("socket: ");
        assertThat(core.engine().settings.socket()).isNull();
        assertThat(core.stats().socket()).isEmpty();
    }

    @Test
    void rejectedConfigurationKeepsTheLastGoodOneAndShowsWhy() throws Exception {
        Map<String, Object> good = config("", 16, 0, true);
        good.put("permissions.uid.4242.publish.allow", "ovsdb.bridge.>");
        good.put("queue.bytes", "65536");
        activate(good);
        Settings inEffect = core.engine().settings;
        assertThat(core.stats().configError()).isEmpty();
        core.deactivate(context());

        Map<String, Object> bad = config("", 32, 0, true);
        bad.put("permissions.publish.deny", "ovsdb.>,a.>.b");
        activate(bad);
        assertThat(core.engine().settings).as("the last good settings").isEqualTo(inEffect);
        assertThat(core.engine().settings.queueSize()).isEqualTo(16);
        assertThat(core.engine().settings.permissions().forPeer(4242, new long[0])
                .publishDenied("ovsdb.bridge.b.added", new String[] {"ovsdb", "bridge", "b", "added"})).isNull();
        assertThat(core.stats().configError()).startsWith("permissions.publish.deny: invalid pattern 'a.>.b': ")
                .endsWith("(configuration rejected; running with the last good configuration)");
        assertThat(new BusCommands(service(core, "dev.ovs.shell")).stats())
                .contains("config     error: permissions.publish.deny: invalid pattern 'a.>.b'");
        core.deactivate(context());

        activate(config("", 8, 0, true));
        assertThat(core.stats().configError()).isEmpty();
        assertThat(core.engine().settings.queueSize()).isEqualTo(8);
        assertThat(core.engine().settings.queueBytes()).as("defaults again").isEqualTo(8 << 20);
    }

    @Test
    void disabledBusIsANullBusAndTheServiceStillWorks() throws Exception {
        activate(config("/tmp/patchbay-never.sock", 16, 1, false));
        EventBusService svc = service(core, "dev.ovs.consumer");
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        Subscription s = svc.subscribe("a", got::add);
        svc.publish("a", Map.of("k", 1), null);
        assertThat(svc.isEnabled()).isFalse();
        assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(svc.stats().enabled()).isFalse();
        assertThat(Files.exists(Path.of("/tmp/patchbay-never.sock"))).isFalse();
        assertThat(listeners).isEmpty();
        s.close();
    }

    static EventBusService service(BusCore core, String bsn) throws Exception {
        EventBusService svc = new EventBusService();
        Field f = EventBusService.class.getDeclaredField("core");
        f.setAccessible(true);
        f.set(svc, core);
        ComponentContext cc = (ComponentContext) Proxy.newProxyInstance(BusCoreTest.class.getClassLoader(),
                new Class<?>[] {ComponentContext.class}, (p, m, a) -> {
                    if (m.getName().equals("getUsingBundle")) {
                        return bundle(bsn, 42);
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        svc.activate(cc);
        return svc;
    }

    @Test
    void serviceViewStampsSourceAndClosesItsSubscriptionsWhenReleased() throws Exception {
        activate(config("", 16, 0, true));
        EventBusService a = service(core, "dev.ovs.a");
        EventBusService b = service(core, "dev.ovs.b");
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        Subscription sa = a.subscribe("t.>", got::add);
        Subscription sb = b.subscribe("t.>", got::add);
        a.publish("t.x", mapper.createObjectNode().put("v", 1), "kind");
        Event e1 = got.poll(10, TimeUnit.SECONDS);
        Event e2 = got.poll(10, TimeUnit.SECONDS);
        assertThat(e1.source()).isEqualTo("dev.ovs.a");
        assertThat(e2.source()).isEqualTo("dev.ovs.a");
        assertThat(core.stats().subscribers()).extracting(BusStats.SubscriberStats::owner)
                .containsExactly("dev.ovs.a", "dev.ovs.b");
        a.deactivate();
        assertThat(sa.isClosed()).isTrue();
        assertThat(sb.isClosed()).isFalse();
        assertThat(core.stats().subscribers()).extracting(BusStats.SubscriberStats::owner).containsExactly("dev.ovs.b");
        assertThatThrownBy(() -> b.subscribe(null, got::add)).hasMessageStartingWith("pattern: ");
        assertThatThrownBy(() -> b.publish("t.*", Map.of(), null)).hasMessageStartingWith("topic: ");
    }

    @Test
    void shellCommands() throws Exception {
        activate(config("", 16, 0, true));
        BusCommands cmd = new BusCommands(service(core, "dev.ovs.bus"));
        assertThatThrownBy(() -> cmd.pub("a.b", "{not json")).hasMessageStartingWith("json: ");
        assertThatThrownBy(() -> cmd.pub("a.*", "{}")).hasMessageStartingWith("topic: ");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Thread publisher = new Thread(() -> {
            try {
                await(() -> core.stats().subscribers().size() == 1);
                cmd.pub("shell.test", "{\"n\":1}");
                cmd.pub("other", "{}");
                cmd.pub("shell.test", "[2]");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        publisher.start();
        String summary = cmd.sub("shell.*", 2, out);
        publisher.join();
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(mapper.readTree(lines.get(0)).get("payload").get("n").asInt()).isEqualTo(1);
        assertThat(mapper.readTree(lines.get(1)).get("payload").get(0).asInt()).isEqualTo(2);
        assertThat(mapper.readTree(lines.get(0)).get("source").asText()).isEqualTo("dev.ovs.bus");
        assertThat(summary).contains("2 events printed", "0 dropped");
        assertThat(core.stats().subscribers()).isEmpty();
        String stats = cmd.stats();
        assertThat(stats).contains("published  3", "delivered  2", "dropped    0");
    }

    @Test
    void activateDeactivateCyclesLeaveNoThreadsFilesOrDescriptors() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "bus-core-");
        Path sock = dir.resolve("bus.sock");
        try {
            cycle(sock);
            int threads = Thread.getAllStackTraces().size();
            long fds = fdCount();
            for (int i = 0; i < 50; i++) {
                cycle(sock);
            }
            core = null;
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith(BusEngine.THREAD_PREFIX));
            await(() -> Thread.getAllStackTraces().size() <= threads);
            await(() -> fdCount() <= fds);
            assertThat(Files.exists(sock)).isFalse();
            assertThat(listeners).isEmpty();
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    private void cycle(Path sock) throws Exception {
        BusCore c = new BusCore();
        LinkedBlockingQueue<Event> got = new LinkedBlockingQueue<>();
        c.addListener(got::add, props(1, ">"));
        c.activate(context(), config(sock.toString(), 16, 1, true));
        try (dev.ovs.bus.client.BusClient client = dev.ovs.bus.client.BusClient.connect(sock)) {
            client.subscribe(">", e -> { });
            client.publishAndWait("cycle", null, null, java.time.Duration.ofSeconds(10));
        }
        assertThat(got.poll(10, TimeUnit.SECONDS)).isNotNull();
        c.deactivate(context());
    }

    private static long fdCount() {
        try (var l = Files.list(Path.of("/proc/self/fd"))) {
            return l.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
