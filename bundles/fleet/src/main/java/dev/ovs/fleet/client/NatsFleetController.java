package dev.ovs.fleet.client;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.fleet.FleetController;
import dev.ovs.fleet.FleetException;
import dev.ovs.fleet.HostOutcome;
import dev.ovs.fleet.HostState;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.ReportStatus;
import dev.ovs.fleet.RolloutOptions;
import dev.ovs.fleet.RolloutResult;
import dev.ovs.fleet.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@link FleetController} over one jnats connection, for use outside an OSGi framework ({@code bin/patchbay fleet},
 * tests, benchmarks, a controller process that embeds it). Buckets it creates: {@value Subjects#DESIRED_BUCKET}
 * and {@value Subjects#REPORTED_BUCKET}, file storage, history 5 per key, the configured number of replicas.
 */
public final class NatsFleetController implements FleetController {
    /** History kept per key in buckets this controller creates: {@value}. */
    public static final int HISTORY = 5;
    /** Period of the reads of in-flight hosts' reports besides the watch: 1 s. */
    private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a desired write is retried while the hub elects a new stream leader: at most 30 s. */
    private static final long WRITE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Connection connection;
    private final int replicas;

    private NatsFleetController(Connection connection, int replicas) {
        this.connection = connection;
        this.replicas = replicas;
    }

    /**
     * Connects to a NATS hub.
     *
     * @param servers     {@code nats://} / {@code tls://} URLs (checked like the agent's {@code servers} key)
     * @param credentials a {@code .creds} file, or null
     * @param tlsCa       PEM CA certificates for {@code tls://} servers, or null for the JVM's trust store
     * @param insecure    allow a non-loopback server without credentials
     * @param replicas    replicas of buckets this controller creates, 1..5; 0 chooses 3 when the server is part of
     *                    a cluster and 1 otherwise
     * @return the controller; close it
     * @throws InvalidArgumentException naming {@code servers}, {@code tls.ca} or {@code replicas} when invalid
     * @throws FleetException           {@code Unavailable} when no server answers
     */
    public static NatsFleetController connect(List<String> servers, Path credentials, Path tlsCa, boolean insecure,
            int replicas) {
        List<String> urls = NatsConnect.servers(String.join(",", servers), credentials != null || insecure);
        if (replicas < 0 || replicas > 5) {
            throw new InvalidArgumentException("replicas", "must be 0..5 (0: automatic), got " + replicas);
        }
        try {
            Connection c = Nats.connect(NatsConnect.options(urls, credentials, tlsCa, "patchbay-fleet-controller")
                    .maxReconnects(60).build());
            int r = replicas != 0 ? replicas : c.getServerInfo().getCluster() == null ? 1 : 3;
            return new NatsFleetController(c, r);
        } catch (IOException e) {
            throw new FleetException(ErrorKind.Unavailable, "cannot connect to " + urls + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(ErrorKind.Unavailable, "interrupted while connecting to " + urls, e);
        }
    }

    /** @return the underlying connection (for subscribers of {@code patchbay.<host>.>} and request/reply) */
    public Connection connection() {
        return connection;
    }

    /**
     * Creates a bucket unless it exists.
     *
     * @param bucket {@value Subjects#DESIRED_BUCKET} or {@value Subjects#REPORTED_BUCKET}
     * @return the bucket
     * @throws FleetException {@code Unavailable} when JetStream does not answer, {@code Failed} when it refuses
     */
    public KeyValue bucket(String bucket) {
        try {
            KeyValueManagement kvm = connection.keyValueManagement();
            try {
                kvm.getStatus(bucket);
            } catch (JetStreamApiException notFound) {
                try {
                    kvm.create(KeyValueConfiguration.builder().name(bucket).maxHistoryPerKey(HISTORY)
                            .storageType(StorageType.File).replicas(replicas).build());
                } catch (JetStreamApiException raced) {
                    kvm.getStatus(bucket); // someone else created it meanwhile; anything else is thrown below
                }
            }
            return connection.keyValue(bucket);
        } catch (JetStreamApiException e) {
            throw new FleetException(ErrorKind.Failed, "bucket " + bucket + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new FleetException(ErrorKind.Unavailable, "bucket " + bucket + ": JetStream does not answer: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public RolloutResult rollout(String document, RolloutOptions options) {
        if (document == null || document.isBlank()) {
            throw new InvalidArgumentException("document", "must not be empty");
        }
        byte[] doc = document.getBytes(StandardCharsets.UTF_8);
        if (doc.length > connection.getMaxPayload() - 1024) {
            throw new InvalidArgumentException("document", "must be smaller than the server's max_payload ("
                    + connection.getMaxPayload() + " bytes) less 1 KiB, got " + doc.length);
        }
        long t0 = System.nanoTime();
        KeyValue desired = bucket(Subjects.DESIRED_BUCKET);
        KeyValue reported = bucket(Subjects.REPORTED_BUCKET);
        List<String> hosts = options.allHosts() ? knownHosts(desired, reported) : options.hostList();
        if (hosts.isEmpty()) {
            throw new InvalidArgumentException("hosts", "no host is known (no key in " + Subjects.DESIRED_BUCKET + " or "
                    + Subjects.REPORTED_BUCKET + "); name them with --hosts");
        }
        Map<String, Report> reports = new ConcurrentHashMap<>();
        // one permit per report that arrived: a report between two checks is not missed
        Semaphore arrived = new Semaphore(0);
        NatsKeyValueWatchSubscription watch = null;
        try {
            watch = reported.watchAll(new KeyValueWatcher() {
                @Override
                public void watch(KeyValueEntry e) {
                    if (e.getOperation() == KeyValueOperation.PUT && e.getValue() != null) {
                        try {
                            reports.put(e.getKey(), ReportJson.read(e.getValue()));
                        } catch (InvalidArgumentException bad) {
                            return;
                        }
                        arrived.release();
                    }
                }

                @Override
                public void endOfData() {
                }
            });
            return run(desired, reported, hosts, doc, options, reports, arrived, t0);
        } catch (IOException | JetStreamApiException e) {
            throw new FleetException(ErrorKind.Unavailable, "rollout: JetStream: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(ErrorKind.Failed, "rollout interrupted", e);
        } finally {
            if (watch != null) {
                try {
                    watch.unsubscribe();
                } catch (RuntimeException ignored) {
                    // connection closing
                }
            }
        }
    }

    private record InFlight(long revision, long startNanos) {
    }

    private static RolloutResult run(KeyValue desired, KeyValue reported, List<String> hosts, byte[] doc, RolloutOptions options,
            Map<String, Report> reports, Semaphore arrived, long t0)
            throws IOException, JetStreamApiException, InterruptedException {
        Map<String, HostOutcome> outcomes = new LinkedHashMap<>();
        for (String h : hosts) {
            outcomes.put(h, new HostOutcome(h, 0, HostOutcome.Result.NOT_STARTED, null, 0));
        }
        Deque<String> queue = new ArrayDeque<>(hosts);
        Map<String, InFlight> inFlight = new LinkedHashMap<>();
        long timeoutNanos = options.timeout().toNanos();
        boolean stop = false;
        long nextPoll = System.nanoTime() + POLL_NANOS;
        while ((!stop && !queue.isEmpty()) || !inFlight.isEmpty()) {
            while (!stop && inFlight.size() < options.maxUnavailable() && !queue.isEmpty()) {
                String h = queue.pollFirst();
                long rev = write(desired, h, doc, System.nanoTime() + Math.min(timeoutNanos, WRITE_RETRY_NANOS));
                inFlight.put(h, new InFlight(rev, System.nanoTime()));
            }
            if (arrived.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                arrived.drainPermits();
            }
            if (System.nanoTime() - nextPoll > 0) {
                // the watch is the fast path; a read per in-flight host covers a watch that lags behind a reconnect
                nextPoll = System.nanoTime() + POLL_NANOS;
                for (String h : inFlight.keySet()) {
                    poll(reported, h, reports);
                }
            }
            for (var it = inFlight.entrySet().iterator(); it.hasNext();) {
                var en = it.next();
                String h = en.getKey();
                InFlight f = en.getValue();
                long elapsed = System.nanoTime() - f.startNanos();
                Report r = reports.get(h);
                HostOutcome o = null;
                if (r != null && r.revision() == f.revision() && r.status().terminal()) {
                    o = new HostOutcome(h, f.revision(), result(r.status()), r.error(), elapsed / 1_000_000);
                } else if (r != null && r.revision() > f.revision()) {
                    o = new HostOutcome(h, f.revision(), HostOutcome.Result.FAILED, "superseded: the host reports revision "
                            + r.revision() + ", written by someone else meanwhile", elapsed / 1_000_000);
                } else if (elapsed > timeoutNanos) {
                    o = new HostOutcome(h, f.revision(), HostOutcome.Result.TIMEOUT, "no report for revision "
                            + f.revision() + " within " + options.timeout().toSeconds() + " s"
                            + (r == null ? "" : " (last: revision " + r.revision() + " " + r.status() + ")"),
                            elapsed / 1_000_000);
                }
                if (o != null) {
                    outcomes.put(h, o);
                    it.remove();
                    if (o.result() != HostOutcome.Result.APPLIED) {
                        stop = true;
                    }
                }
            }
        }
        return new RolloutResult(new ArrayList<>(outcomes.values()), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Writes a host's desired document, retrying while JetStream is between leaders (a server failed: 503 no
     * responders, request timeouts). When a write timed out but reached the stream, the stored revision is taken
     * instead of writing again.
     */
    private static long write(KeyValue desired, String host, byte[] doc, long deadlineNanos)
            throws IOException, JetStreamApiException, InterruptedException {
        long before = revisionOf(desired, host);
        while (true) {
            try {
                return desired.put(host, doc);
            } catch (IOException e) {
                if (System.nanoTime() - deadlineNanos > 0) {
                    throw e;
                }
                Thread.sleep(250);
                try {
                    KeyValueEntry now = desired.get(host);
                    if (now != null && now.getRevision() > before && java.util.Arrays.equals(now.getValue(), doc)) {
                        return now.getRevision();
                    }
                } catch (IOException | JetStreamApiException notYet) {
                    // retry the write
                }
            }
        }
    }

    private static long revisionOf(KeyValue kv, String host) {
        for (int i = 0; i < 40; i++) {
            try {
                KeyValueEntry e = kv.get(host);
                return e == null ? 0 : e.getRevision();
            } catch (IOException | JetStreamApiException e) {
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return Long.MAX_VALUE;
                }
            }
        }
        return Long.MAX_VALUE; // unknown: never mistake an older write for this one
    }

    private static void poll(KeyValue reported, String host, Map<String, Report> reports) {
        try {
            KeyValueEntry e = reported.get(host);
            if (e != null && e.getValue() != null) {
                Report r = ReportJson.read(e.getValue());
                reports.merge(host, r, (old, neu) -> neu.revision() >= old.revision() ? neu : old);
            }
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            // not now; the watch or the next poll
        }
    }

    private static HostOutcome.Result result(ReportStatus s) {
        switch (s) {
            case APPLIED:
                return HostOutcome.Result.APPLIED;
            case ROLLED_BACK:
                return HostOutcome.Result.ROLLED_BACK;
            default:
                return HostOutcome.Result.FAILED;
        }
    }

    private static List<String> knownHosts(KeyValue desired, KeyValue reported) {
        TreeSet<String> all = new TreeSet<>();
        try {
            all.addAll(desired.keys());
            all.addAll(reported.keys());
        } catch (IOException | JetStreamApiException e) {
            throw new FleetException(ErrorKind.Unavailable, "listing hosts: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException(ErrorKind.Failed, "interrupted while listing hosts", e);
        }
        return new ArrayList<>(all);
    }

    @Override
    public List<HostState> status() {
        KeyValue desired = bucket(Subjects.DESIRED_BUCKET);
        KeyValue reported = bucket(Subjects.REPORTED_BUCKET);
        List<HostState> out = new ArrayList<>();
        try {
            for (String h : knownHosts(desired, reported)) {
                KeyValueEntry d = desired.get(h);
                KeyValueEntry r = reported.get(h);
                Report rep = null;
                if (r != null && r.getValue() != null) {
                    try {
                        rep = ReportJson.read(r.getValue());
                    } catch (InvalidArgumentException bad) {
                        rep = null;
                    }
                }
                out.add(new HostState(h, d == null || d.getOperation() != KeyValueOperation.PUT ? 0 : d.getRevision(), rep));
            }
        } catch (IOException | JetStreamApiException e) {
            throw new FleetException(ErrorKind.Unavailable, "status: JetStream: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
