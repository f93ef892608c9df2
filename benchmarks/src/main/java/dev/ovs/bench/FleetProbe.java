package dev.ovs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.fleet.HostOutcome;
import dev.ovs.fleet.RolloutOptions;
import dev.ovs.fleet.RolloutResult;
import dev.ovs.fleet.client.NatsConnect;
import dev.ovs.fleet.client.NatsFleetController;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The controller side of the {@code fleet} suite ({@link FleetBench}), run inside the hub's network namespace
 * ({@code ip netns exec HUB java -cp ... dev.ovs.bench.FleetProbe SERVERS HOSTS ROUNDS DIR}): rollouts through the
 * Java API ({@link NatsFleetController}, every host at once), the NATS floor on the same servers, and the phases of
 * each host's apply from the appliances' own {@code netstate.checkpoint.*} events on the hub. Prints one line per
 * sample: {@code FLOOR nanos}, {@code HOST kind host ms}, {@code ROLLOUT kind ms},
 * {@code PHASE kind host writeToCreated createdToCommitted committedToReported} (ms; the write and the report as
 * this process's watches of the two buckets see them, the checkpoint events by their {@code ts}); kind is {@code create} (a
 * bridge with 10 ports, each an access port of its own VLAN) or {@code remove} (that bridge {@code absent}).
 */
public final class FleetProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Samples of the NATS floor. */
    private static final int FLOOR = 200;

    private FleetProbe() {
    }

    /**
     * @param n     number of ports
     * @param round round number (the VLAN tags differ between rounds)
     * @return the document: bridge {@code br-fb} with ports {@code fb0..fb(n-1)}, internal, access VLAN 10+i (+100 on
     *         odd rounds)
     */
    static String createDoc(int n, int round) {
        StringBuilder sb = new StringBuilder("interfaces:\n- name: br-fb\n  type: ovs-bridge\n  bridge:\n    port:\n");
        for (int i = 0; i < n; i++) {
            sb.append("    - name: fb").append(i).append("\n      vlan: {mode: access, tag: ")
                    .append(10 + i + (round % 2) * 100).append("}\n");
        }
        for (int i = 0; i < n; i++) {
            sb.append("- name: fb").append(i).append("\n  type: ovs-interface\n");
        }
        return sb.toString();
    }

    /** @return the document that removes bridge {@code br-fb} with its ports */
    static String removeDoc() {
        return "interfaces:\n- name: br-fb\n  type: ovs-bridge\n  state: absent\n";
    }

    /**
     * @param args SERVERS (comma-separated), HOSTS, ROUNDS, DIR (documents are written there for the CLI run)
     * @throws Exception when a rollout does not complete
     */
    public static void main(String[] args) throws Exception {
        List<String> servers = NatsConnect.split(args[0]);
        int hosts = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Files.writeString(Path.of(args[3], "create.yaml"), createDoc(10, 0));
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= hosts; i++) {
            names.add("host" + i);
        }
        // host -> [ts of created, ts of committed] events, in arrival order
        Map<String, List<long[]>> events = new ConcurrentHashMap<>();
        try (NatsFleetController c = NatsFleetController.connect(servers, null, null, true, 3)) {
            Connection conn = c.connection();
            Dispatcher d = conn.createDispatcher(m -> {
                try {
                    JsonNode e = JSON.readTree(m.getData());
                    String host = m.getSubject().split("\\.")[1];
                    String topic = e.path("topic").asText();
                    int kind = topic.endsWith(".created") ? 0 : topic.endsWith(".committed") ? 1 : -1;
                    if (kind >= 0) {
                        events.computeIfAbsent(host, h -> new CopyOnWriteArrayList<>()).add(new long[] {kind,
                            e.path("ts").asLong()});
                    }
                } catch (java.io.IOException ignored) {
                    // not an event
                }
            });
            d.subscribe("patchbay.*.netstate.checkpoint.>");
            // when each host's desired write and its applied report reach the controller (the probe's clock)
            Map<String, Long> written = new ConcurrentHashMap<>();
            Map<String, Long> reported = new ConcurrentHashMap<>();
            c.bucket(dev.ovs.fleet.Subjects.DESIRED_BUCKET).watchAll(seenAt(written, null),
                    io.nats.client.api.KeyValueWatchOption.UPDATES_ONLY);
            c.bucket(dev.ovs.fleet.Subjects.REPORTED_BUCKET).watchAll(seenAt(reported, "\"applied\""),
                    io.nats.client.api.KeyValueWatchOption.UPDATES_ONLY);
            // warm-up: the hosts become known (for --all) and every agent's and engine's code paths run once
            for (int w = 0; w < 2; w++) {
                check(c.rollout(createDoc(10, w + 1), RolloutOptions.hosts(names).withMaxUnavailable(hosts)
                        .withTimeout(Duration.ofSeconds(120))), "warm-up");
                check(c.rollout(removeDoc(), RolloutOptions.all().withMaxUnavailable(hosts)
                        .withTimeout(Duration.ofSeconds(120))), "warm-up");
            }
            for (int r = 0; r < rounds; r++) {
                String kind = r % 2 == 0 ? "create" : "remove";
                String doc = r % 2 == 0 ? createDoc(10, r / 2) : removeDoc();
                events.clear();
                written.clear();
                reported.clear();
                long t0 = System.currentTimeMillis();
                RolloutResult res = c.rollout(doc, RolloutOptions.all().withMaxUnavailable(hosts)
                        .withTimeout(Duration.ofSeconds(60)));
                check(res, kind);
                System.out.println("ROLLOUT " + kind + " " + res.elapsedMillis());
                Thread.sleep(500); // the last events reach the hub
                for (HostOutcome o : res.outcomes()) {
                    System.out.println("HOST " + kind + " " + o.host() + " " + o.elapsedMillis());
                    long created = -1;
                    long committed = -1;
                    for (long[] e : events.getOrDefault(o.host(), List.of())) {
                        if (e[1] < t0) {
                            continue;
                        }
                        if (e[0] == 0 && created < 0) {
                            created = e[1];
                        } else if (e[0] == 1 && created >= 0 && committed < 0) {
                            committed = e[1];
                        }
                    }
                    Long w = written.get(o.host());
                    Long seen = reported.get(o.host());
                    if (created >= 0 && committed >= 0 && w != null && seen != null) {
                        System.out.println("PHASE " + kind + " " + o.host() + " " + (created - w) + " "
                                + (committed - created) + " " + (seen - committed));
                    }
                }
            }
            // the CLI run that follows starts from the state without the bridge
            floor(servers);
        }
        System.out.flush();
    }

    /**
     * @param into   key → epoch ms of the first matching entry the watch delivered
     * @param needle text the value must contain, or null for any PUT
     * @return the watcher
     */
    private static KeyValueWatcher seenAt(Map<String, Long> into, String needle) {
        return new KeyValueWatcher() {
            @Override
            public void watch(KeyValueEntry e) {
                long now = System.currentTimeMillis();
                if (e.getValue() != null && (needle == null
                        || new String(e.getValue(), StandardCharsets.UTF_8).contains(needle))) {
                    into.putIfAbsent(e.getKey(), now);
                }
            }

            @Override
            public void endOfData() {
            }
        };
    }

    private static void check(RolloutResult r, String what) {
        if (!r.complete()) {
            throw new IllegalStateException(what + " rollout did not complete: " + r.outcomes());
        }
    }

    /** KV put on one server → watch notification on another connection (another server), {@value #FLOOR} times. */
    private static void floor(List<String> servers) throws Exception {
        String other = servers.get(servers.size() - 1);
        try (Connection w = Nats.connect(NatsConnect.options(List.of(other), null, null, "bench-floor-watch").build());
                Connection p = Nats.connect(NatsConnect.options(List.of(servers.get(0)), null, null, "bench-floor-put")
                        .build())) {
            try {
                p.keyValueManagement().create(KeyValueConfiguration.builder().name("bench-floor").maxHistoryPerKey(1)
                        .storageType(StorageType.File).replicas(3).build());
            } catch (io.nats.client.JetStreamApiException exists) {
                // from an earlier run
            }
            KeyValue put = p.keyValue("bench-floor");
            Map<Long, Long> last = new ConcurrentHashMap<>();
            var watch = w.keyValue("bench-floor").watch("k", new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry e) {
                    last.put(e.getRevision(), System.nanoTime());
                }

                @Override
                public void endOfData() {
                }
            }, io.nats.client.api.KeyValueWatchOption.UPDATES_ONLY);
            for (int i = 0; i < FLOOR + 20; i++) {
                long t = System.nanoTime();
                long rev = put.put("k", ("v" + i).getBytes(StandardCharsets.UTF_8));
                Long at = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (at == null && System.nanoTime() < deadline) {
                    at = last.get(rev);
                    if (at == null) {
                        Thread.sleep(0, 100_000);
                    }
                }
                if (at == null) {
                    throw new IllegalStateException("no watch notification of revision " + rev + " within 10 s");
                }
                if (i >= 20) {
                    System.out.println("FLOOR " + (at - t));
                }
            }
            watch.unsubscribe();
            p.keyValueManagement().delete("bench-floor");
        }
    }
}
