package dev.ovs.netstate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.EventListener;
import dev.ovs.bus.Subscription;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.NetState;
import dev.ovs.netstate.NetStateException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The state:* shell commands and the bus events over an in-memory NetState (unit test). */
class StateCommandsTest {
    final List<String> calls = new ArrayList<>();
    final Checkpoint pending = new Checkpoint("20261206T000000Z-abcdef", Checkpoint.State.PENDING, 1, 30_000_001L, null, 3,
            "00", "shell");

    final NetState fake = new NetState() {
        @Override
        public String show() {
            return "interfaces: []\n";
        }

        @Override
        public List<Change> diff(String document) {
            calls.add("diff " + document.trim());
            return List.of(new Change(Change.UPDATE, "port", "p1", "vlan.tag", 10L, 20L, "interfaces[0].bridge.port[0]"),
                    new Change(Change.CREATE, "bridge", "b1", null, null, Map.of("bridge.options.datapath", "netdev"), "interfaces[1]"));
        }

        @Override
        public String apply(String document, long confirmSeconds, String caller) {
            calls.add("apply " + confirmSeconds + " " + caller);
            return pending.id();
        }

        @Override
        public void commit(String id, String caller) {
            calls.add("commit " + id + " " + caller);
        }

        @Override
        public void rollback(String id, String caller) {
            calls.add("rollback " + id + " " + caller);
        }

        @Override
        public List<Checkpoint> checkpoints() {
            return List.of(pending);
        }

        @Override
        public Optional<Checkpoint> checkpoint(String id) {
            return Optional.of(pending);
        }
    };

    @Test
    void commandsCallTheService() throws Exception {
        StateCommands c = new StateCommands(fake);
        Path f = Files.createTempFile("pb-state-", ".yaml");
        Files.writeString(f, "interfaces: []\n");
        assertThat(c.show()).isEqualTo("interfaces: []\n");
        assertThat(c.diff(f.toString())).isEqualTo("update port p1 vlan.tag: 10 -> 20\ncreate bridge b1 {bridge.options.datapath=netdev}");
        assertThat(c.apply(null, f.toString(), "--confirm=30")).isEqualTo("checkpoint " + pending.id()
                + " pending (3 changes), rolled back in 30 s unless committed (state:commit " + pending.id() + ")");
        assertThat(c.commit(null)).isEqualTo("committed");
        assertThat(c.rollback(null, "x")).isEqualTo("rolled back x");
        assertThat(c.checkpoints()).startsWith(pending.id() + " pending changes=3 caller=shell deadline=1970-01-01T00:00:30Z");
        assertThat(calls).containsExactly("diff interfaces: []", "apply 30 shell", "commit null shell", "rollback x shell");
        assertThatThrownBy(() -> c.apply(null, f.toString(), "--confirm=soon")).isInstanceOfSatisfying(StateCommands.CommandFailed.class,
                e -> {
                    assertThat(e.kind()).isEqualTo("InvalidArgs");
                    assertThat(e).hasMessageStartingWith("InvalidArgs: --confirm: must be a number of seconds");
                    assertThat(((InvalidArgumentException) e.getCause()).argument()).isEqualTo("--confirm");
                });
        assertThatThrownBy(() -> c.apply(null)).isInstanceOfSatisfying(StateCommands.CommandFailed.class,
                e -> assertThat(e.kind()).isEqualTo("InvalidArgs"));
        assertThatThrownBy(() -> c.diff("/nonexistent/doc.yaml")).isInstanceOfSatisfying(StateCommands.CommandFailed.class,
                e -> assertThat(((InvalidArgumentException) e.getCause()).argument()).isEqualTo("FILE"));
    }

    @Test
    void domainErrorsNameTheirKind() throws Exception {
        NetState refusing = new NetState() {
            @Override
            public String show() {
                throw new NetStateException(ErrorKind.Failed, "unavailable: no ovsdb-server");
            }

            @Override
            public List<Change> diff(String document) {
                throw new AssertionError();
            }

            @Override
            public String apply(String document, long confirmSeconds, String caller) {
                throw new NetStateException(ErrorKind.CheckpointPending, "checkpoint x is pending");
            }

            @Override
            public void commit(String id, String caller) {
                throw new NetStateException(ErrorKind.NotFound, "no checkpoint " + id);
            }

            @Override
            public void rollback(String id, String caller) {
                throw new NetStateException(ErrorKind.Conflict, "changed meanwhile");
            }

            @Override
            public List<Checkpoint> checkpoints() {
                return List.of();
            }

            @Override
            public Optional<Checkpoint> checkpoint(String id) {
                return Optional.empty();
            }
        };
        StateCommands c = new StateCommands(refusing);
        assertThatThrownBy(c::show).hasMessage("Failed: unavailable: no ovsdb-server");
        Path f = Files.createTempFile("pb-state-", ".yaml");
        Files.writeString(f, "interfaces: []\n");
        assertThatThrownBy(() -> c.apply(null, f.toString(), "--confirm=5")).isInstanceOfSatisfying(StateCommands.CommandFailed.class,
                e -> assertThat(e).hasMessage("CheckpointPending: checkpoint x is pending").hasCauseInstanceOf(NetStateException.class));
        assertThatThrownBy(() -> c.commit(null, "x")).hasMessage("NotFound: no checkpoint x");
        assertThatThrownBy(() -> c.rollback(null)).hasMessage("Conflict: changed meanwhile");
        assertThat(c.checkpoints()).isEqualTo("no checkpoints");
    }

    @Test
    void checkpointEventsGoToTheBus() throws Exception {
        List<String> published = new ArrayList<>();
        EventBus bus = new EventBus() {
            @Override
            public void publish(String topic, JsonNode payload, String type) {
                published.add(topic + " " + type + " " + payload);
            }

            @Override
            public void publish(String topic, Map<String, ?> payload, String type) {
                throw new AssertionError();
            }

            @Override
            public Subscription subscribe(String pattern, EventListener listener) {
                throw new AssertionError();
            }

            @Override
            public BusStats stats() {
                throw new AssertionError();
            }

            @Override
            public boolean isEnabled() {
                return true;
            }
        };
        BusEvents events = new BusEvents();
        var field = BusEvents.class.getDeclaredField("bus");
        field.setAccessible(true);
        field.set(events, bus);
        events.checkpointChanged(pending, "created");
        assertThat(published).containsExactly("netstate.checkpoint." + pending.id() + ".created created "
                + "{\"id\":\"" + pending.id() + "\",\"state\":\"pending\",\"created\":1,\"deadline\":30000001,\"reason\":null,"
                + "\"changes\":3,\"sha256\":\"00\",\"caller\":\"shell\"}");
    }
}
