package dev.ovs.netstate.internal.dbus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.dbus.ExportStatus;
import dev.ovs.dbus.internal.DbusConnectionComponent;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.netstate.internal.NetStateEngine;
import dev.ovs.netstate.internal.journal.Journal;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.messages.DBusSignal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * dev.ovs.NetState1 exported with dbus-java on a private dbus-daemon over a real engine (ovsdb-server and
 * ovs-vswitchd in a private netns), called with busctl and gdbus: pinned signatures, error names, caller,
 * signals.
 */
class NetStateDbusIT {
    private dev.ovs.netstate.internal.RealOvsAccess real;
    private ShortTempDir dir;
    private DbusDaemon bus;
    private DbusConnectionComponent dbus;
    private NetStateEngine engine;
    private NetStateDbusComponent object;

    @BeforeEach
    void setUp() throws Exception {
        real = new dev.ovs.netstate.internal.RealOvsAccess();
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        dbus = new DbusConnectionComponent(bus.address());
        NetStateDbusComponent[] face = new NetStateDbusComponent[1];
        engine = new NetStateEngine(real::vswitch, new Journal(Files.createTempDirectory("pb-netstate-dbus-")),
                new NetStateEngine.Settings("netdev", 20000, 100), Clock.systemUTC(), (c, e) -> face[0].checkpointChanged(c, e));
        object = new NetStateDbusComponent(engine, dbus);
        face[0] = object;
        assertThat(dbus.export(object, NetState1.OBJECT_PATH, NetState1.BUS_NAME).state()).isEqualTo(ExportStatus.State.EXPORTED);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            engine.close();
            dbus.close();
        } finally {
            try {
                bus.close();
                dir.close();
            } finally {
                real.close();
            }
        }
    }

    private String busctl(String member, String... sig) {
        List<String> a = new ArrayList<>(List.of("call", NetState1.BUS_NAME, NetState1.OBJECT_PATH, "dev.ovs.NetState1", member));
        a.addAll(List.of(sig));
        return bus.busctl(a.toArray(String[]::new)).trim();
    }

    private String gdbus(String member, String... args) {
        List<String> argv = new ArrayList<>(List.of("gdbus", "call", "--address", bus.address(), "--dest", NetState1.BUS_NAME,
                "--object-path", NetState1.OBJECT_PATH, "--method", "dev.ovs.NetState1." + member));
        argv.addAll(List.of(args));
        try {
            return "OK " + Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f.stderr();
        }
    }

    /** busctl prints {@code s "..."} with C escapes; the JSON/YAML text inside. */
    private static String unquote(String busctlOut) throws Exception {
        return new ObjectMapper().readTree(busctlOut.substring(2)).asText();
    }

    @Test
    void introspectionShowsThePinnedSignatures() {
        String out = bus.busctl("introspect", NetState1.BUS_NAME, NetState1.OBJECT_PATH, "dev.ovs.NetState1");
        assertThat(out).containsPattern("\\.Show\\s+method\\s+-\\s+s\\s")
                .containsPattern("\\.Diff\\s+method\\s+s\\s+s\\s")
                .containsPattern("\\.Apply\\s+method\\s+su\\s+s\\s")
                .containsPattern("\\.Commit\\s+method\\s+s\\s+-")
                .containsPattern("\\.Rollback\\s+method\\s+s\\s+-")
                .containsPattern("\\.ListCheckpoints\\s+method\\s+-\\s+s\\s")
                .containsPattern("\\.CheckpointCreated\\s+signal\\s+st\\s")
                .containsPattern("\\.CheckpointCommitted\\s+signal\\s+s\\s")
                .containsPattern("\\.CheckpointRolledBack\\s+signal\\s+ss\\s");
    }

    @Test
    void applyCommitRollbackAndSignalsOverDbus() throws Exception {
        BlockingQueue<DBusSignal> signals = new LinkedBlockingQueue<>();
        try (DBusConnection listener = DBusConnectionBuilder.forAddress(bus.address()).build()) {
            listener.addSigHandler(NetState1.CheckpointCreated.class, signals::add);
            listener.addSigHandler(NetState1.CheckpointCommitted.class, signals::add);
            listener.addSigHandler(NetState1.CheckpointRolledBack.class, signals::add);
            String doc = "interfaces:\n- name: dbr0\n  type: ovs-bridge\n  bridge:\n    port:\n    - {name: d1, vlan: {tag: 5}}\n"
                    + "- {name: d1, type: ovs-interface}\n";
            JsonNode diff = new ObjectMapper().readTree(unquote(busctl("Diff", "s", doc)));
            assertThat(diff).hasSizeGreaterThan(2);
            assertThat(diff.get(0).get("op").asText()).isEqualTo("create");
            String id = unquote(busctl("Apply", "su", doc, "600"));
            assertThat(real.vsctl("get", "Port", "d1", "tag")).isEqualTo("5");
            NetState1.CheckpointCreated created = (NetState1.CheckpointCreated) signals.poll(10, TimeUnit.SECONDS);
            assertThat(created).isNotNull();
            assertThat(created.getId()).isEqualTo(id);
            assertThat(created.getDeadline().longValue()).isEqualTo(engine.checkpoint(id).orElseThrow().deadlineMicros());
            assertThat(engine.checkpoint(id).orElseThrow().caller()).startsWith("dbus::1.").matches("dbus::1\\.\\d+ uid=0 pid=\\d+");
            // another apply while one is pending
            assertThat(gdbus("Apply", "interfaces: [{name: dbr0, type: ovs-bridge, ovs-db: {external_ids: {a: b}}}]", "0"))
                    .contains("dev.ovs.NetState1.Error.CheckpointPending").contains(id);
            busctl("Rollback", "s", "");
            NetState1.CheckpointRolledBack rb = (NetState1.CheckpointRolledBack) signals.poll(10, TimeUnit.SECONDS);
            assertThat(rb.getId()).isEqualTo(id);
            assertThat(rb.getReason()).startsWith("rollback by dbus::1.");
            assertThat(real.vsctl("list-br")).isEmpty();
            String id2 = unquote(busctl("Apply", "su", doc, "600"));
            signals.poll(10, TimeUnit.SECONDS);
            busctl("Commit", "s", id2);
            NetState1.CheckpointCommitted cm = (NetState1.CheckpointCommitted) signals.poll(10, TimeUnit.SECONDS);
            assertThat(cm.getId()).isEqualTo(id2);
            JsonNode list = new ObjectMapper().readTree(unquote(busctl("ListCheckpoints")));
            assertThat(list.get(0).get("state").asText()).isEqualTo("rolled-back");
            assertThat(list.get(1).get("id").asText()).isEqualTo(id2);
            assertThat(list.get(1).get("state").asText()).isEqualTo("committed");
            String shown = unquote(busctl("Show"));
            assertThat(shown).contains("name: dbr0").contains("tag: 5");
            assertThat(unquote(busctl("Diff", "s", shown))).isEqualTo("[]");
        }
    }

    @Test
    void errorsHaveThePinnedNames() {
        assertThat(gdbus("Apply", "interfaces:\n- name: b\n  type: ovs-bridge\n  bridge:\n    port:\n    - {name: p, vlan: {tag: 5000}}\n", "0"))
                .contains("org.freedesktop.DBus.Error.InvalidArgs")
                .contains("interfaces[0].bridge.port[0].vlan.tag: must be 0..4095, got 5000");
        assertThat(gdbus("Diff", "interfaces: [{name: x, type: wifi}]")).contains("org.freedesktop.DBus.Error.InvalidArgs")
                .contains("interfaces[0].type");
        assertThat(gdbus("Apply", "interfaces: []", "100000")).contains("org.freedesktop.DBus.Error.InvalidArgs")
                .contains("confirmSeconds: must be 0..86400");
        assertThat(gdbus("Commit", "nope")).contains("dev.ovs.NetState1.Error.NotFound: Commit: no checkpoint nope");
        assertThat(gdbus("Rollback", "")).contains("dev.ovs.NetState1.Error.NotFound: Rollback: no checkpoint is pending");
        assertThat(dev.ovs.dbus.DbusErrors.namespaceOf(NetState1.class)).isEqualTo("dev.ovs.NetState1.Error");
    }
}
