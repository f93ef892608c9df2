package dev.ovs.fleet.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.fleet.FleetStatus;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.ReportStatus;
import dev.ovs.fleet.Subjects;
import dev.ovs.fleet.client.NatsConnect;
import dev.ovs.fleet.client.ReportJson;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The fleet agent of one host, without OSGi: one NATS connection, the event forwarder, the desired-state loop and
 * the request/reply responders. {@link FleetComponent} runs one per active configuration; tests run it directly
 * against real nats-servers with a fake {@link StateService}.
 *
 * <p><b>Desired state.</b> One thread ({@code fleet-desired}) owns everything that changes the host. It wakes on
 * a watch notification of key {@code <host.id>} in bucket {@value Subjects#DESIRED_BUCKET}, on every (re)connect,
 * and every {@code poll.seconds}; it then takes the <em>newest</em> revision (the higher of the last watched entry
 * and a fresh read), and applies it only when it is newer than the revision recorded in {@link AppliedStore}: so
 * revisions missed while disconnected are skipped, and no revision is attempted twice. The record is written
 * before the network-state apply starts. Apply: {@link StateService#apply} with {@code confirm.seconds}; report
 * {@code pending}; then, until shortly before the deadline, check that NATS is connected, that JetStream answers
 * (a read of the desired key, at most 1 s: through a leaf node this needs the hub; the pending report's write counts
 * as the first one) and that {@code probe.address} accepts a TCP
 * connection; if all pass, commit and report {@code applied}, otherwise roll back and report {@code rolled-back}.
 * A report that cannot be written (disconnected) stays in the record and is written after the reconnect.
 *
 * <p><b>Request/reply</b> on the connection's dispatcher: {@code patchbay.<host>.state.show} answers the
 * network-state document (YAML); {@code patchbay.<host>.health} answers JSON. An error answer carries the header
 * {@code Patchbay-Error} and a JSON body {@code {"error": text}}.
 */
public final class FleetAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.ovs.fleet");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Error header of request/reply answers: {@value}. */
    public static final String ERROR_HEADER = "Patchbay-Error";
    /** The connectivity check stops this long before the confirm deadline, so the commit arrives in time. */
    private static final long CONFIRM_MARGIN_MS = 1000;
    /**
     * Longest a connectivity check's JetStream read may take: 1 s. A read queued while the host is cut off must not
     * get through only after the checkpoint rolled back by itself (TCP retransmits it once the address is back).
     */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);

    private final Settings settings;
    private final Supplier<StateService> state;
    private final AppliedStore store;
    private final EventForwarder forwarder;
    private final Thread worker;
    private final long started = System.currentTimeMillis();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean signalled;
    private volatile boolean closed;
    private volatile Connection connection;
    private volatile KeyValue desired;
    private volatile KeyValue reported;
    /** The desired bucket with {@link #CHECK_TIMEOUT} as its request timeout, for the connectivity check. */
    private volatile KeyValue checkKv;
    private Dispatcher responders;
    private Object watch;
    /** The newest entry the watch delivered (any operation), or null. */
    private final java.util.concurrent.atomic.AtomicReference<KeyValueEntry> watched =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final AtomicLong desiredRevision = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private volatile AppliedStore.Record record;
    private volatile String lastError = "";
    /** Creation time of the desired bucket (ISO-8601), the identity its revisions belong to; null until read. */
    private volatile String bucketId;

    /**
     * @param settings validated, enabled settings
     * @param state    supplies the network-state service, or null while it is not available
     */
    public FleetAgent(Settings settings, Supplier<StateService> state) {
        this.settings = settings;
        this.state = state;
        this.store = new AppliedStore(settings.stateFile());
        this.forwarder = new EventForwarder(settings.hostId(), settings.queueSize(), () -> connection);
        this.worker = new Thread(this::run, "fleet-desired");
        this.worker.setDaemon(true);
    }

    /**
     * Reads the state file and starts the threads; connecting happens in the background (every second until a
     * server answers).
     *
     * @throws java.io.UncheckedIOException when the state file exists but is unreadable: nothing starts
     */
    public void start() {
        record = store.load();
        forwarder.start();
        worker.start();
    }

    /** @return the whiteboard listener that forwards local events */
    public EventForwarder forwarder() {
        return forwarder;
    }

    /** @return the settings in use */
    public Settings settings() {
        return settings;
    }

    /** Wakes the desired-state thread (a watch notification, a reconnect, a test). */
    public void signal() {
        lock.lock();
        try {
            signalled = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return how many revisions this agent instance started to apply (for tests and {@code fleet:status}) */
    public long attempts() {
        return attempts.get();
    }

    /** @return the status snapshot */
    public FleetStatus status() {
        Connection c = connection;
        AppliedStore.Record r = record;
        return new FleetStatus(true, settings.hostId(), c == null ? "-" : c.getStatus().name(),
                c == null || c.getConnectedUrl() == null ? "" : c.getConnectedUrl(), forwarder.published(),
                forwarder.dropped(), forwarder.queued(), forwarder.skipped(), desiredRevision.get(),
                r == null ? 0 : r.revision(), r == null ? null : r.report(), r != null && r.unsent(), lastError);
    }

    // ------------------------------------------------------------------ the desired-state thread

    private void run() {
        while (!closed) {
            try {
                Connection c = connection;
                if (c == null) {
                    c = connect();
                    if (c == null) {
                        await(1000);
                        continue;
                    }
                }
                if (c.getStatus() != Connection.Status.CONNECTED) {
                    await(1000);
                    continue;
                }
                if (!setup(c)) {
                    await(Math.min(5000, settings.pollSeconds() * 1000L));
                    continue;
                }
                recover();
                flushReport();
                KeyValueEntry e = newest();
                AppliedStore.Record r = record;
                if (e != null && e.getOperation() == KeyValueOperation.PUT && e.getRevision() > handled(r)
                        && r.phase() == AppliedStore.Phase.DONE) {
                    apply(e);
                    continue;
                }
                await(settings.pollSeconds() * 1000L);
            } catch (InterruptedException ie) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException | IOException ex) {
                lastError = String.valueOf(ex.getMessage());
                LOG.log(System.Logger.Level.DEBUG, "fleet: " + ex, ex);
                try {
                    await(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * @return the recorded revision when it belongs to the current desired bucket, 0 when the bucket was deleted and
     *         made again since (its revisions start at 1 again)
     */
    private long handled(AppliedStore.Record r) {
        String b = bucketId;
        return r.bucket() == null || b == null || r.bucket().equals(b) ? r.revision() : 0;
    }

    private void await(long millis) throws InterruptedException {
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!signalled && !closed && left > 0) {
                left = wake.awaitNanos(left);
            }
            signalled = false;
        } finally {
            lock.unlock();
        }
        if (closed) {
            throw new InterruptedException("closing");
        }
    }

    private Connection connect() throws InterruptedException {
        Options o = NatsConnect.options(settings.servers(), settings.credentials(), settings.tlsCa(),
                "patchbay-" + settings.hostId())
                .reconnectBufferSize(0)
                .connectionListener(this::connectionEvent)
                .build();
        try {
            Connection c = Nats.connect(o);
            if (closed) {
                c.close();
                return null;
            }
            connection = c;
            lastError = "";
            forwarder.wake();
            return c;
        } catch (IOException e) {
            lastError = "cannot connect to " + String.join(",", settings.servers()) + ": " + e.getMessage();
            return null;
        }
    }

    private void connectionEvent(Connection c, ConnectionListener.Events ev) {
        if (ev == ConnectionListener.Events.RECONNECTED || ev == ConnectionListener.Events.RESUBSCRIBED
                || ev == ConnectionListener.Events.CONNECTED) {
            forwarder.wake();
            signal();
        }
    }

    /** @return whether the buckets, the watch and the responders exist */
    private boolean setup(Connection c) throws IOException, InterruptedException {
        if (responders == null) {
            responders = c.createDispatcher(this::respond);
            responders.subscribe(Subjects.stateShow(settings.hostId()));
            responders.subscribe(Subjects.health(settings.hostId()));
        }
        if (desired != null && reported != null && watch != null && checkKv != null) {
            return true;
        }
        KeyValueOptions kvo = settings.jsDomain() == null ? KeyValueOptions.builder().build()
                : KeyValueOptions.builder().jsDomain(settings.jsDomain()).build();
        try {
            if (checkKv == null) {
                checkKv = c.keyValue(Subjects.DESIRED_BUCKET, KeyValueOptions.builder(kvo)
                        .jsRequestTimeout(CHECK_TIMEOUT).build());
            }
            if (desired == null) {
                KeyValue kv = c.keyValue(Subjects.DESIRED_BUCKET, kvo);
                java.time.ZonedDateTime created = kv.getStatus().getBackingStreamInfo().getCreateTime();
                bucketId = created == null ? null : created.toInstant().toString();
                desired = kv;
            }
            if (reported == null) {
                KeyValue kv = c.keyValue(Subjects.REPORTED_BUCKET, kvo);
                kv.getStatus();
                reported = kv;
            }
            if (watch == null) {
                watch = desired.watch(settings.hostId(), new KeyValueWatcher() {
                    @Override
                    public void watch(KeyValueEntry entry) {
                        watched.accumulateAndGet(entry, (old, neu) -> old == null || neu.getRevision() > old.getRevision()
                                ? neu : old);
                        desiredRevision.accumulateAndGet(entry.getRevision(), Math::max);
                        signal();
                    }

                    @Override
                    public void endOfData() {
                        signal();
                    }
                });
            }
            return true;
        } catch (io.nats.client.JetStreamApiException e) {
            lastError = "buckets " + Subjects.DESIRED_BUCKET + "/" + Subjects.REPORTED_BUCKET + " not available ("
                    + e.getMessage() + "); create them with bin/patchbay fleet apply or nats kv add";
            if (desired != null && reported == null) {
                desired = null;
            }
            return false;
        }
    }

    /**
     * @return the newest desired entry for this host: the higher revision of a fresh read and the last watched entry
     *         (a read may be served by a replica that is behind the stream leader: JetStream direct get)
     */
    private KeyValueEntry newest() throws IOException {
        KeyValueEntry e;
        try {
            e = desired.get(settings.hostId());
        } catch (io.nats.client.JetStreamApiException ex) {
            throw new IOException("reading " + Subjects.DESIRED_BUCKET + "/" + settings.hostId() + ": " + ex.getMessage(), ex);
        }
        if (e != null && e.getRevision() < handled(record)) {
            // revisions went backwards: the bucket was deleted and made again; take its identity anew
            try {
                java.time.ZonedDateTime created = desired.getStatus().getBackingStreamInfo().getCreateTime();
                String now = created == null ? null : created.toInstant().toString();
                if (now != null && !now.equals(bucketId)) {
                    bucketId = now;
                    watched.set(null);
                    desiredRevision.set(0);
                    if (watch instanceof io.nats.client.impl.NatsKeyValueWatchSubscription sub) {
                        try {
                            sub.unsubscribe();
                        } catch (RuntimeException ignored) {
                            // the old stream is gone anyway
                        }
                    }
                    watch = null; // setup() watches the new bucket
                }
            } catch (io.nats.client.JetStreamApiException | InterruptedException ex) {
                throw new IOException("reading the status of " + Subjects.DESIRED_BUCKET + ": " + ex.getMessage(), ex);
            }
        }
        KeyValueEntry w = watched.get();
        if (w != null && (e == null || w.getRevision() > e.getRevision())) {
            e = w;
        }
        if (e != null) {
            desiredRevision.accumulateAndGet(e.getRevision(), Math::max);
        }
        return e;
    }

    private void apply(KeyValueEntry e) throws InterruptedException {
        long rev = e.getRevision();
        String doc = e.getValueAsString();
        record = new AppliedStore.Record(rev, AppliedStore.Phase.STARTED, null, null, false, bucketId);
        store.save(record);
        attempts.incrementAndGet();
        StateService s = awaitStateService(System.currentTimeMillis() + settings.confirmSeconds() * 1000L);
        if (s == null) {
            finish(rev, ReportStatus.FAILED, null, "the network-state service (dev.ovs.netstate) is not available"
                    + " (waited " + settings.confirmSeconds() + " s)");
            return;
        }
        String id;
        // the checkpoint's deadline runs from inside apply: count from before the call, never past it
        long deadline = System.currentTimeMillis() + settings.confirmSeconds() * 1000L - CONFIRM_MARGIN_MS;
        try {
            id = s.apply(doc, settings.confirmSeconds(), caller(rev));
        } catch (InvalidArgumentException ex) {
            finish(rev, ReportStatus.FAILED, null, ex.getMessage());
            return;
        } catch (DomainException ex) {
            boolean untouched = ex.kind() == ErrorKind.CheckpointPending || ex.kind() == ErrorKind.Unavailable;
            finish(rev, untouched ? ReportStatus.FAILED : ReportStatus.ROLLED_BACK, null, ex.kind() + ": " + ex.getMessage());
            return;
        } catch (RuntimeException ex) {
            finish(rev, ReportStatus.FAILED, null, "apply: " + ex);
            return;
        }
        record = new AppliedStore.Record(rev, AppliedStore.Phase.PENDING, id, null, false, bucketId);
        store.save(record);
        // a pending report written after the apply is a JetStream round trip through the hub already: it counts as
        // the first connectivity check's read
        boolean pendingSent = putReport(new Report(rev, ReportStatus.PENDING, id, null, System.currentTimeMillis()));
        String problem;
        try {
            problem = confirm(deadline, pendingSent);
        } catch (InterruptedException ie) {
            problem = "the fleet agent stopped before the change was confirmed";
        }
        if (problem == null) {
            try {
                s.commit(id);
                finish(rev, ReportStatus.APPLIED, id, null);
            } catch (RuntimeException ex) {
                if ("committed".equals(safeState(s, id))) {
                    finish(rev, ReportStatus.APPLIED, id, null);
                } else {
                    finish(rev, ReportStatus.ROLLED_BACK, id, "commit refused: " + ex.getMessage());
                }
            }
        } else {
            try {
                s.rollback(id);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.DEBUG, "fleet: rollback of " + id + ": " + ex);
            }
            finish(rev, ReportStatus.ROLLED_BACK, id, problem);
        }
        if (closed) {
            throw new InterruptedException("closing");
        }
    }

    /** @return the network-state service, waiting for it (e.g. during a bundle update) until {@code until} */
    private StateService awaitStateService(long until) throws InterruptedException {
        StateService s = state.get();
        while (s == null && System.currentTimeMillis() < until) {
            if (closed) {
                throw new InterruptedException("closing");
            }
            lastError = "waiting for the network-state service (dev.ovs.netstate)";
            Thread.sleep(200);
            s = state.get();
        }
        return s;
    }

    private String caller(long rev) {
        return "fleet " + Subjects.DESIRED_BUCKET + "/" + settings.hostId() + "@" + rev;
    }

    private static String safeState(StateService s, String id) {
        try {
            return s.checkpointState(id);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * @return null when NATS, JetStream and the probe answer before {@code deadline}, else the last problem (a check
     *         that passes only after the deadline counts as failed: the checkpoint may have rolled back by itself)
     */
    private String confirm(long deadline, boolean jetStreamAnswered) throws InterruptedException {
        String problem;
        boolean first = jetStreamAnswered;
        do {
            if (closed) {
                throw new InterruptedException("closing");
            }
            problem = checkOnce(!first);
            first = false;
            if (problem == null) {
                if (System.currentTimeMillis() < deadline) {
                    return null;
                }
                problem = "the check passed only after the deadline";
                break;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        return "connectivity check failed until the confirm deadline (" + settings.confirmSeconds() + " s): " + problem;
    }

    /** @param readJetStream whether to read the desired key (false: a JetStream write just succeeded) */
    private String checkOnce(boolean readJetStream) {
        Connection c = connection;
        if (c == null || c.getStatus() != Connection.Status.CONNECTED) {
            return "NATS not connected (" + (c == null ? "no connection" : c.getStatus()) + ")";
        }
        if (readJetStream) {
            try {
                checkKv.get(settings.hostId());
            } catch (IOException | io.nats.client.JetStreamApiException | RuntimeException e) {
                return "JetStream does not answer: " + e.getMessage();
            }
        }
        if (settings.probeHost() != null) {
            try (Socket so = new Socket()) {
                so.connect(new InetSocketAddress(settings.probeHost(), settings.probePort()), 1000);
            } catch (IOException e) {
                return "probe " + settings.probeHost() + ":" + settings.probePort() + " not reachable: " + e.getMessage();
            }
        }
        return null;
    }

    /**
     * Writes the final report, then records it (with {@code unsent} when the write failed). The report goes first so
     * that the controller does not wait for the state file's fsyncs; if the JVM dies between the two, the next start
     * derives the report again from the record of the apply (committed checkpoint: {@code applied}, otherwise
     * {@code rolled-back}) and writes it once more.
     */
    private void finish(long rev, ReportStatus status, String checkpoint, String error) {
        Report r = new Report(rev, status, checkpoint, error, System.currentTimeMillis());
        boolean sent = putReport(r);
        record = new AppliedStore.Record(rev, AppliedStore.Phase.DONE, checkpoint, r, !sent,
                record == null ? bucketId : record.bucket() == null ? bucketId : record.bucket());
        store.save(record);
        LOG.log(status == ReportStatus.APPLIED ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                "fleet: desired revision " + rev + " " + status + (error == null ? "" : ": " + error));
    }

    /** Writes the recorded final report if NATS has not got it yet. */
    private void flushReport() {
        AppliedStore.Record r = record;
        if (r == null || !r.unsent() || r.report() == null) {
            return;
        }
        if (putReport(r.report())) {
            AppliedStore.Record sent = r.sent();
            if (record == r) {
                record = sent;
                store.save(sent);
            }
        }
    }

    private boolean putReport(Report r) {
        KeyValue kv = reported;
        Connection c = connection;
        if (kv == null || c == null || c.getStatus() != Connection.Status.CONNECTED) {
            return false;
        }
        try {
            kv.put(settings.hostId(), ReportJson.write(r));
            return true;
        } catch (IOException | io.nats.client.JetStreamApiException | RuntimeException e) {
            lastError = "writing report of revision " + r.revision() + ": " + e.getMessage();
            return false;
        }
    }

    /** A revision the previous run left unfinished (the JVM stopped during an apply or a pending checkpoint). */
    private void recover() {
        AppliedStore.Record r = record;
        if (r.phase() == AppliedStore.Phase.DONE) {
            return;
        }
        if (r.phase() == AppliedStore.Phase.STARTED || r.checkpoint() == null) {
            finish(r.revision(), ReportStatus.ROLLED_BACK, null,
                    "the agent stopped during the apply; the network-state journal undoes an unfinished apply");
            return;
        }
        StateService s = state.get();
        if (s == null) {
            lastError = "waiting for the network-state service to settle checkpoint " + r.checkpoint();
            return;
        }
        String st = safeState(s, r.checkpoint());
        if ("committed".equals(st)) {
            finish(r.revision(), ReportStatus.APPLIED, r.checkpoint(), null);
            return;
        }
        if ("pending".equals(st)) {
            try {
                s.rollback(r.checkpoint());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "fleet: rollback of " + r.checkpoint() + ": " + e);
            }
        }
        finish(r.revision(), ReportStatus.ROLLED_BACK, r.checkpoint(),
                "the agent stopped before the change was confirmed");
    }

    // ------------------------------------------------------------------ request/reply

    private void respond(Message m) {
        if (m.getReplyTo() == null) {
            return;
        }
        Connection c = connection;
        if (c == null) {
            return;
        }
        try {
            if (m.getSubject().endsWith(".health")) {
                c.publish(m.getReplyTo(), health());
                return;
            }
            StateService s = state.get();
            if (s == null) {
                error(c, m, "the network-state service (dev.ovs.netstate) is not available");
                return;
            }
            c.publish(m.getReplyTo(), s.show().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            error(c, m, String.valueOf(e.getMessage()));
        }
    }

    private static void error(Connection c, Message m, String text) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("error", text);
        try {
            c.publish(m.getReplyTo(), new Headers().put(ERROR_HEADER, text.replace('\n', ' ')),
                    MAPPER.writeValueAsBytes(n));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "fleet: cannot answer " + m.getSubject() + ": " + e);
        }
    }

    /**
     * @return the health answer: {@code {"host", "ts", "uptime_ms", "netstate": bool, "desired": rev, "applied":
     *         rev, "report": Report|null, "report_unsent": bool, "events": {"published", "dropped", "queued",
     *         "skipped"}, "error": text}}
     */
    byte[] health() {
        FleetStatus s = status();
        ObjectNode n = MAPPER.createObjectNode();
        n.put("host", s.hostId());
        n.put("ts", System.currentTimeMillis());
        n.put("uptime_ms", System.currentTimeMillis() - started);
        n.put("netstate", state.get() != null);
        n.put("desired", s.desiredRevision());
        n.put("applied", s.appliedRevision());
        try {
            n.set("report", s.lastReport() == null ? null : MAPPER.readTree(ReportJson.write(s.lastReport())));
            n.put("report_unsent", s.reportUnsent());
            ObjectNode ev = n.putObject("events");
            ev.put("published", s.eventsPublished());
            ev.put("dropped", s.eventsDropped());
            ev.put("queued", s.eventsQueued());
            ev.put("skipped", s.eventsSkipped());
            n.put("error", s.lastError());
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("health: " + e, e);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Stops the threads (a pending checkpoint is rolled back and reported as {@code rolled-back} first, when NATS
     * still answers), then closes the connection. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        signal();
        worker.interrupt();
        try {
            worker.join(Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        forwarder.close();
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
