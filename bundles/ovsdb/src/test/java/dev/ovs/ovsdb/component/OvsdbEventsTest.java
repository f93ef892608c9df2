package dev.ovs.ovsdb.component;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.RowEvent;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** {@link OvsdbEvents#toBusEvents}: owners of ports and interfaces, from the batch or from the replica (unit test). */
class OvsdbEventsTest {
    final List<Row> rows = new ArrayList<>();
    final AtomicInteger finds = new AtomicInteger();

    @SuppressWarnings("unchecked")
    final Replica replica = (Replica) Proxy.newProxyInstance(Replica.class.getClassLoader(), new Class<?>[] {Replica.class},
            (proxy, m, args) -> switch (m.getName()) {
                case "find" -> {
                    finds.incrementAndGet();
                    yield rows.stream().filter(r -> r.table().equals(args[0])).filter((Predicate<Row>) args[1]).toList();
                }
                default -> throw new UnsupportedOperationException(m.getName());
            });

    static RowEvent updated(Row r, String column) {
        return new RowEvent(RowEvent.Type.UPDATE, r.table(), r.uuid(), r, r, Set.of(column));
    }

    @Test
    void ownersOutsideTheBatchComeFromOneIndexOfTheReplicaPerBatch() {
        UUID br = UUID.randomUUID();
        List<UUID> ports = new ArrayList<>();
        List<Row> ifaces = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            UUID p = UUID.randomUUID();
            UUID f = UUID.randomUUID();
            ports.add(p);
            rows.add(new Row("Port", p, Map.of("name", "p" + i, "interfaces", Set.of(f))));
            Row iface = new Row("Interface", f, Map.of("name", "p" + i, "ofport", 10L + i));
            rows.add(iface);
            ifaces.add(iface);
        }
        rows.add(new Row("Bridge", br, Map.of("name", "br0", "ports", Set.copyOf(ports))));
        // ovs-vswitchd's update of every new interface (ofport), without their ports in the batch
        List<RowEvent> batch = ifaces.stream().map(r -> updated(r, "ofport")).toList();
        List<OvsdbEvents.BusEvent> out = OvsdbEvents.toBusEvents(batch, replica);
        assertThat(out).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(out.get(i).topic()).isEqualTo("ovsdb.interface.p" + i + ".updated");
            assertThat(out.get(i).payload()).containsEntry("port", "p" + i);
        }
        assertThat(finds).hasValue(1);
        // ports updated without their bridge in the batch: the bridge from the replica, again one lookup
        finds.set(0);
        List<RowEvent> portBatch = rows.stream().filter(r -> r.table().equals("Port")).map(r -> updated(r, "tag")).toList();
        assertThat(OvsdbEvents.toBusEvents(portBatch, replica)).allSatisfy(e -> assertThat(e.payload()).containsEntry("bridge", "br0"));
        assertThat(finds).hasValue(1);
    }

    @Test
    void anOwnerInTheBatchWinsOverTheReplica() {
        UUID f = UUID.randomUUID();
        UUID p = UUID.randomUUID();
        Row iface = new Row("Interface", f, Map.of("name", "x1"));
        rows.add(new Row("Port", UUID.randomUUID(), Map.of("name", "old", "interfaces", Set.of(f))));
        Row port = new Row("Port", p, Map.of("name", "new", "interfaces", Set.of(f)));
        List<OvsdbEvents.BusEvent> out = OvsdbEvents.toBusEvents(List.of(
                new RowEvent(RowEvent.Type.INSERT, "Port", p, null, port, Set.of("name", "interfaces")), updated(iface, "ofport")), replica);
        assertThat(out.get(1).payload()).containsEntry("port", "new"); // the replica says "old": not asked for it
        assertThat(out.get(0).payload()).containsEntry("bridge", null); // the new port's bridge is nowhere yet
    }
}
