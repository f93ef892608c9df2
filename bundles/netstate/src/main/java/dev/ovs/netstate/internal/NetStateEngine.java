package dev.ovs.netstate.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.NetState;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.netstate.internal.doc.DocParser;
import dev.ovs.netstate.internal.doc.DocWriter;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.netstate.internal.journal.JournalEntry;
import dev.ovs.netstate.internal.ovs.OvsPlanner;
import dev.ovs.netstate.internal.ovs.OvsReconciler;
import dev.ovs.netstate.internal.ovs.OvsShow;
import dev.ovs.netstate.internal.ovs.OvsSnapshot;
import dev.ovs.netstate.internal.ovs.RowTarget;
import dev.ovs.netstate.internal.net.NetPlanner;
import dev.ovs.netstate.internal.net.NetView;
import dev.ovs.netstate.internal.ports.Attachment;
import dev.ovs.netstate.internal.ports.PortsPlanner;
import dev.ovs.netstate.internal.ports.PortsState;
import dev.ovs.base.DomainException;
import dev.ovs.ovsdb.Condition;
import dev.ovs.ovsdb.Mutation;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.OvsdbServerException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.Row;
import dev.ovs.ovsdb.TransactionBuilder;
import dev.ovs.ovsdb.vswitch.NotAppliedException;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.networkd.FileNotOwnedException;
import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.Networkd;
import dev.ovs.networkd.NetworkdException;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.PortChange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@link NetState} over the {@link VSwitch} service (its OVSDB client and replica), the {@link PortAgent}
 * service (container ports, through its batch operation), the {@link NetworkFiles} and {@link Networkd} services
 * (systemd-networkd links: Patchbay's own files, Reload, ReconfigureLink) and a {@link Journal}. Apply order: the
 * OVSDB transaction, the container port batches, the networkd files; rollback in the reverse order.
 * One lock serializes apply, commit, rollback, the deadline timer and recovery; one scheduler thread runs
 * deadlines and recovery retries. {@link #close()} stops the thread and leaves the journal as it is, so a
 * new engine on the same directory (a bundle update, a restart) re-arms a pending checkpoint at its deadline
 * and rolls back anything unfinished before it accepts calls.
 */
public final class NetStateEngine implements NetState, AutoCloseable {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** Longest confirm timeout, in seconds: {@value}. */
    public static final long MAX_CONFIRM_SECONDS = 86400;
    /** Delay between retries of a failed rollback or recovery, in ms: {@value}. */
    static final long RETRY_MILLIS = 1000;

    /**
     * Settings of an engine.
     *
     * @param defaultDatapathType   datapath_type of new bridges without one
     * @param vswitchdTimeoutMillis how long to wait for ovs-vswitchd, ms
     * @param keep                  settled checkpoints kept
     * @param networkdTimeoutMillis how long to wait for systemd-networkd to create VLAN links and configure addresses, ms
     */
    public record Settings(String defaultDatapathType, long vswitchdTimeoutMillis, int keep, long networkdTimeoutMillis) {
        /** Same with {@code networkdTimeoutMillis} equal to {@code vswitchdTimeoutMillis}. */
        public Settings(String defaultDatapathType, long vswitchdTimeoutMillis, int keep) {
            this(defaultDatapathType, vswitchdTimeoutMillis, keep, vswitchdTimeoutMillis);
        }
    }

    private final Supplier<VSwitch> vswitch;
    private final Supplier<PortAgent> portAgent;
    private final Supplier<NetworkFiles> networkFiles;
    private final Supplier<Networkd> networkd;
    private final Journal journal;
    private final Settings settings;
    private final Clock clock;
    private final BiConsumer<Checkpoint, String> events;
    private final DocParser parser = new DocParser();
    private final DocWriter writer = new DocWriter();
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService timer;
    /** All known checkpoints by id, oldest first (journaled ones and the in-memory empty-diff ones). */
    private final Map<String, JournalEntry> entries = new LinkedHashMap<>();
    private final Map<String, ScheduledFuture<?>> deadlines = new LinkedHashMap<>();
    /** The ledger service now (null supplier: no ledger is kept). */
    private volatile Supplier<Ledger> ledger;
    /** Named steps of apply and rollback, for tests that stop the JVM there (null: none). */
    private volatile Consumer<String> faultHook;
    private volatile boolean closed;
    private ScheduledFuture<?> recovery;

    /**
     * Reads the journal; unfinished applies, rollbacks and expired pending checkpoints are rolled back (on the
     * scheduler thread, retried until it succeeds); until then mutating calls fail. Pending checkpoints get
     * their deadline timer.
     *
     * @param vswitch  the VSwitch service now, or null while it is missing
     * @param journal  the journal
     * @param settings settings
     * @param clock    clock for ids, deadlines and journal times
     * @param events   receives (checkpoint, created|committed|rolledback); may be null
     */
    public NetStateEngine(Supplier<VSwitch> vswitch, Journal journal, Settings settings, Clock clock,
            BiConsumer<Checkpoint, String> events) {
        this(vswitch, () -> null, journal, settings, clock, events);
    }

    /**
     * Same as {@link #NetStateEngine(Supplier, Journal, Settings, Clock, BiConsumer)} with the port agent for
     * {@code container-ports}.
     *
     * @param vswitch   the VSwitch service now, or null while it is missing
     * @param portAgent the PortAgent service now, or null while it is missing (documents with container ports
     *                  then fail)
     * @param journal   the journal
     * @param settings  settings
     * @param clock     clock for ids, deadlines and journal times
     * @param events    receives (checkpoint, created|committed|rolledback); may be null
     */
    public NetStateEngine(Supplier<VSwitch> vswitch, Supplier<PortAgent> portAgent, Journal journal, Settings settings,
            Clock clock, BiConsumer<Checkpoint, String> events) {
        this(vswitch, portAgent, () -> null, () -> null, journal, settings, clock, events);
    }

    /**
     * Same as {@link #NetStateEngine(Supplier, Supplier, Journal, Settings, Clock, BiConsumer)} with the systemd-networkd
     * services for vlan links, link addresses and routes.
     *
     * @param vswitch      the VSwitch service now, or null while it is missing
     * @param portAgent    the PortAgent service now, or null while it is missing
     * @param networkFiles the NetworkFiles service now, or null while it is missing (documents with networkd links then fail)
     * @param networkd     the Networkd service now, or null while it is missing
     * @param journal      the journal
     * @param settings     settings
     * @param clock        clock for ids, deadlines and journal times
     * @param events       receives (checkpoint, created|committed|rolledback); may be null
     */
    public NetStateEngine(Supplier<VSwitch> vswitch, Supplier<PortAgent> portAgent, Supplier<NetworkFiles> networkFiles,
            Supplier<Networkd> networkd, Journal journal, Settings settings, Clock clock, BiConsumer<Checkpoint, String> events) {
        this.vswitch = vswitch;
        this.portAgent = portAgent;
        this.networkFiles = networkFiles;
        this.networkd = networkd;
        this.journal = journal;
        this.settings = settings;
        this.clock = clock;
        this.events = events == null ? (c, e) -> { } : events;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netstate-timer");
            t.setDaemon(true);
            return t;
        });
        lock.lock();
        try {
            for (JournalEntry e : journal.readAll()) {
                entries.put(e.id(), e);
            }
            for (JournalEntry e : entries.values()) {
                if (e.phase().equals(JournalEntry.PENDING) && e.deadlineMicros() > nowMicros()) {
                    arm(e);
                }
            }
            if (!unfinished().isEmpty()) {
                recovery = timer.schedule(this::recover, 0, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records apply, commit and rollback (explicit ones and those at a confirm deadline) in the appliance's ledger: an
     * intent (caller, operation {@code netstate.apply|commit|rollback}, arguments {@code checkpoint},
     * {@code document_sha256}, and for apply {@code confirm_seconds} and {@code changes}) before the first side
     * effect, the outcome after. While the supplier gives null, apply, commit and rollback fail (Failed, "unavailable:
     * the ledger ...") and change nothing; a rollback at a deadline runs anyway. Without this call nothing is recorded
     * (tools and tests).
     *
     * @param ledger the ledger service now, or null while it is missing
     */
    public void ledger(Supplier<Ledger> ledger) {
        this.ledger = ledger;
    }

    /** @param hook called with the name of each step of apply and rollback (tests); null: none */
    void faultHook(Consumer<String> hook) {
        this.faultHook = hook;
    }

    private void fault(String step) {
        Consumer<String> h = faultHook;
        if (h != null) {
            h.accept(step);
        }
    }

    /** Entries to roll back before calls are accepted: applying, rolling back, or pending past the deadline. */
    private List<JournalEntry> unfinished() {
        long now = nowMicros();
        List<JournalEntry> out = new ArrayList<>();
        for (JournalEntry e : entries.values()) {
            if (e.phase().equals(JournalEntry.APPLYING) || e.phase().equals(JournalEntry.ROLLING_BACK)
                    || (e.phase().equals(JournalEntry.PENDING) && e.deadlineMicros() <= now)) {
                out.add(e);
            }
        }
        return out;
    }

    private void recover() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            for (JournalEntry e : unfinished()) {
                String reason = e.phase().equals(JournalEntry.APPLYING) ? "unfinished apply found at start"
                        : e.phase().equals(JournalEntry.ROLLING_BACK) ? (e.reason() == null ? "unfinished rollback" : e.reason())
                        : "confirm timeout (deadline passed while stopped)";
                restore(e, reason);
            }
            recovery = null;
        } catch (RuntimeException ex) {
            if (!closed) {
                recovery = timer.schedule(this::recover, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return true while journaled work from before the start is still being rolled back */
    public boolean recovering() {
        lock.lock();
        try {
            return !unfinished().isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void checkAccepting() {
        if (closed) {
            throw new NetStateException(ErrorKind.Failed, "the network state service is stopping");
        }
        List<JournalEntry> u = unfinished();
        if (!u.isEmpty()) {
            throw new NetStateException(ErrorKind.Failed, "checkpoint " + u.get(0).id()
                    + " is being rolled back (unfinished at start or at its deadline); try again when it is done");
        }
    }

    private long nowMicros() {
        Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    private VSwitch vs() {
        VSwitch v = vswitch.get();
        if (v == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: the Open vSwitch service (bundle dev.ovs.ovsdb) is not running");
        }
        return v;
    }

    /** Reads a fresh snapshot: the replica synced, then an echo barrier so others' committed changes are seen. */
    private OvsSnapshot snapshot(VSwitch v) {
        Replica r = v.replica();
        try {
            if (!r.awaitSynced(Duration.ofSeconds(10))) {
                throw new NetStateException(ErrorKind.Failed, "unavailable: the Open_vSwitch replica is not synchronized");
            }
            r.sync();
            return OvsSnapshot.of(r);
        } catch (OvsdbException e) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: cannot read the Open_vSwitch database: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new NetStateException(ErrorKind.Failed, e.getMessage(), e);
        }
    }

    private PortAgent agent() {
        PortAgent a = portAgent.get();
        if (a == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: the port agent (bundle dev.ovs.portagent) is not running");
        }
        return a;
    }

    private NetworkFiles files() {
        NetworkFiles f = networkFiles.get();
        if (f == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: systemd-networkd's files (bundle dev.ovs.networkd) are not available");
        }
        return f;
    }

    private Networkd networkd() {
        Networkd n = networkd.get();
        if (n == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: systemd-networkd (bundle dev.ovs.networkd) is not available");
        }
        return n;
    }

    @Override
    public String show() {
        OvsSnapshot s = snapshot(vs());
        Doc ovs = OvsShow.show(s);
        PortAgent a = portAgent.get();
        List<Doc.ContainerPort> ports = a == null ? List.of() : PortsPlanner.show(PortsState.read(a, s));
        NetworkFiles f = networkFiles.get();
        if (f == null) {
            return writer.write(new Doc(ovs.interfaces(), ports));
        }
        NetPlanner.Shown net;
        try {
            net = NetPlanner.show(NetView.read(f, networkd.get()), ovs.interfaces(), ovs.interfaces().size());
        } catch (NetworkdException e) {
            throw new NetStateException(ErrorKind.Failed, "cannot read systemd-networkd's files: " + e.getMessage(), e);
        }
        List<Doc.Entry> entries = new ArrayList<>(ovs.interfaces());
        entries.addAll(net.entries());
        return writer.write(new Doc(entries, ports, net.links(), net.routes()));
    }

    @Override
    public List<Change> diff(String document) {
        Doc d = parse(document);
        return plan(d, snapshot(vs())).changes();
    }

    /**
     * Everything a document changes.
     *
     * @param ovs   the Open_vSwitch rows
     * @param ports the container ports
     */
    private record Plans(OvsReconciler.Plan ovs, PortsPlanner.Plan ports, NetPlanner.Plan net) {
        boolean isEmpty() {
            return ovs.isEmpty() && ports.isEmpty() && net.isEmpty();
        }

        List<Change> changes() {
            List<Change> all = new ArrayList<>(ovs.changes());
            all.addAll(ports.changes());
            all.addAll(net.changes());
            return all;
        }
    }

    private static final PortsPlanner.Plan NO_PORTS = new PortsPlanner.Plan(List.of(), List.of(), List.of(), List.of(), List.of(),
            List.of(), List.of());

    private Plans plan(Doc d, OvsSnapshot s) {
        OvsReconciler.Plan ovs = OvsReconciler.plan(OvsPlanner.plan(d, s, settings.defaultDatapathType()), s);
        return new Plans(ovs, planPorts(d, s), planNet(d));
    }

    /**
     * The networkd part. Entries whose only networkd meaning is "remove Patchbay's file of this link if there is one"
     * (an absent port) need the files service only when it is there.
     */
    private NetPlanner.Plan planNet(Doc d) {
        boolean absentPorts = d.interfaces().stream().anyMatch(e -> e instanceof Doc.Iface i && i.absent());
        if (d.routes().isEmpty() && d.links().isEmpty() && (!absentPorts || networkFiles.get() == null)) {
            return NetPlanner.EMPTY;
        }
        try {
            return NetPlanner.plan(d, NetView.read(files(), networkd.get()));
        } catch (NetworkdException e) {
            throw new NetStateException(ErrorKind.Failed, "cannot read systemd-networkd's files or links: " + e.getMessage(), e);
        }
    }

    private PortsPlanner.Plan planPorts(Doc d, OvsSnapshot s) {
        if (d.containerPorts().isEmpty()) {
            return NO_PORTS;
        }
        Set<String> present = new HashSet<>();
        Set<String> removed = new HashSet<>();
        Set<String> named = new HashSet<>();
        for (Doc.Entry e : d.interfaces()) {
            named.add(e.name());
            if (e instanceof Doc.Bridge b) {
                (b.absent() ? removed : present).add(b.name());
                if (b.ports() != null) {
                    b.ports().forEach(p -> named.add(p.name()));
                }
            }
        }
        PortsState now = PortsState.read(agent(), s);
        for (Doc.ContainerPort c : d.containerPorts()) {
            PortsState.Current cur = now.get(c.key());
            if (cur != null && named.contains(cur.hostPort())) {
                throw new InvalidArgumentException(c.path(), "its host port '" + cur.hostPort()
                        + "' is also named in interfaces: change a container port in one place only");
            }
        }
        return PortsPlanner.plan(PortsPlanner.targets(d), now,
                b -> present.contains(b) || (!removed.contains(b) && s.row("Bridge", b) != null), removed);
    }

    /** A document's text and what {@link DocParser#parse} made of it. */
    private record Parsed(String text, Doc doc) {
    }

    /** The last document parsed without error (parsing is a pure function of the text). */
    private volatile Parsed lastParsed;

    /**
     * Parses and validates a document. A text equal to the last one parsed without error reuses its result (a
     * {@link Doc} is immutable): re-applying an unchanged document, the common case of a configuration tool that
     * applies its document periodically, skips the YAML parse (about 10 ms for 1,000 ports).
     */
    private Doc parse(String document) {
        if (document == null) {
            throw new InvalidArgumentException("document", "must not be null");
        }
        Parsed last = lastParsed;
        if (last != null && last.text().equals(document)) {
            return last.doc();
        }
        Doc d = parser.parse(document);
        lastParsed = new Parsed(document, d);
        return d;
    }

    @Override
    public String apply(String document, long confirmSeconds, String caller) {
        if (confirmSeconds < 0 || confirmSeconds > MAX_CONFIRM_SECONDS) {
            throw new InvalidArgumentException("confirmSeconds", "must be 0.." + MAX_CONFIRM_SECONDS + ", got " + confirmSeconds);
        }
        Doc d = parse(document);
        String who = caller == null ? "unknown" : caller;
        lock.lock();
        try {
            checkAccepting();
            VSwitch v = vs();
            OvsSnapshot s = snapshot(v);
            Plans plans = plan(d, s);
            long now = nowMicros();
            String id = newId(now);
            String sha = sha256(document);
            Map<String, String> args = new LinkedHashMap<>();
            args.put("checkpoint", id);
            args.put("document_sha256", sha);
            args.put("confirm_seconds", Long.toString(confirmSeconds));
            args.put("changes", Integer.toString(plans.changes().size()));
            Ledger.Intent intent = intent(who, "netstate.apply", args);
            try {
                String out = applyPlanned(d, v, s, plans, now, id, sha, who, confirmSeconds);
                succeeded(intent, "checkpoint " + out + (plans.isEmpty() ? " (no changes)" : ""));
                return out;
            } catch (RuntimeException x) {
                failed(intent, x);
                throw x;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The ledger's intent of an operation, or null without a ledger; @throws NetStateException Failed if it cannot be written */
    private Ledger.Intent intent(String caller, String op, Map<String, String> args) {
        if (ledger == null) {
            return null;
        }
        Ledger l = ledger.get();
        if (l == null) {
            throw new NetStateException(ErrorKind.Failed, "unavailable: the ledger (component dev.ovs.ledger of bundle dev.ovs.dbus) "
                    + "is not running; nothing was changed");
        }
        try {
            return l.begin(caller, op, args);
        } catch (DomainException x) {
            throw new NetStateException(ErrorKind.Failed, x.getMessage() + "; nothing was changed", x);
        }
    }

    private static void succeeded(Ledger.Intent i, String detail) {
        if (i != null) {
            i.succeeded(detail);
        }
    }

    private static void failed(Ledger.Intent i, RuntimeException x) {
        if (i != null) {
            i.failed(x.getMessage());
        }
    }

    /** {@link #apply} once planned, under the lock: the empty diff, or journal, changes, verification. */
    private String applyPlanned(Doc d, VSwitch v, OvsSnapshot s, Plans plans, long now, String id, String sha, String who,
            long confirmSeconds) {
        OvsReconciler.Plan plan = plans.ovs();
        {
            if (plans.isEmpty()) {
                // nothing to write: no transaction, no journal file; the checkpoint is committed at once
                JournalEntry e = new JournalEntry(id, JournalEntry.COMMITTED, now, 0, null, 0, sha, who, List.of(), List.of(),
                        List.of());
                remember(e);
                events.accept(e.checkpoint(), "created");
                return id;
            }
            String pending = pendingId();
            if (pending != null) {
                throw new NetStateException(ErrorKind.CheckpointPending, "checkpoint " + pending
                        + " is pending: commit or roll it back first");
            }
            long deadline = confirmSeconds == 0 ? 0 : now + confirmSeconds * 1_000_000L;
            JournalEntry e = new JournalEntry(id, JournalEntry.APPLYING, now, deadline, null, plans.changes().size(), sha, who,
                    plan.images(), plans.ports().images(), plans.net().images());
            journal.write(e);
            remember(e);
            fault("journaled");
            if (!plan.isEmpty()) {
                applyOvs(v, s, plan, e, id, who);
            }
            fault("after-transaction");
            try {
                runPorts(v, plans.ports(), "netstate " + id + " by " + who);
            } catch (BatchFailed x) {
                // a batch of the port agent is all or nothing: only the ports of the batches done are restored
                JournalEntry done = e.withPorts(e.ports().stream().filter(i -> x.done.contains(i.key())).toList());
                journal.write(done);
                remember(done);
                if (x.getCause() instanceof InvalidArgumentException i) {
                    throw undoInvalid(done, i);
                }
                NetStateException n = (NetStateException) x.getCause();
                throw undo(done, "apply failed: " + n.getMessage(), n.kind(), n);
            }
            try {
                runNet(plans.net());
                fault("net-written");
                verify(v, d, plan);
                awaitNetworkd(plans.net());
            } catch (NetStateException x) {
                throw undo(e, "apply failed: " + x.getMessage(), x.kind(), x);
            }
            fault("verified");
            JournalEntry done = deadline == 0 ? e.with(JournalEntry.COMMITTED, null) : e.with(JournalEntry.PENDING, null);
            journal.write(done);
            remember(done);
            if (deadline != 0) {
                arm(done);
            }
            events.accept(done.checkpoint(), "created");
            return id;
        }
    }

    /** The Open_vSwitch part of an apply: one guarded transaction, then the wait for ovs-vswitchd. */
    private void applyOvs(VSwitch v, OvsSnapshot s, OvsReconciler.Plan plan, JournalEntry e, String id, String who) {
        TransactionBuilder tx = v.client().transaction(OvsSnapshot.DB);
        int guards = OvsReconciler.emit(plan, s, tx, true);
        tx.comment("patchbay netstate apply " + id + " by " + who);
        fault("before-transaction");
        try {
            // VSwitch.commit adds the next_cfg increment and waits for ovs-vswitchd (the one owner of that wait)
            v.commit(tx, Duration.ofMillis(settings.vswitchdTimeoutMillis()));
        } catch (OvsdbServerException x) { // refused: the transaction changed nothing
            JournalEntry failed = e.with(JournalEntry.ROLLED_BACK, "apply failed: " + x.getMessage());
            journal.write(failed);
            remember(failed);
            if (x.kind() == ErrorKind.Conflict && x.operationIndex() < guards) {
                throw new NetStateException(ErrorKind.Conflict, "an object this document changes was changed by someone "
                        + "else after it was read (" + x.getMessage() + "); nothing was changed, apply again");
            }
            if (x.kind() == ErrorKind.AlreadyExists) {
                // the unique index on name: a row the document creates was created by someone else after it was read
                throw new NetStateException(ErrorKind.Conflict, "an object this document creates was created by someone "
                        + "else after it was read (" + x.getMessage() + "); nothing was changed, apply again");
            }
            throw new NetStateException(ErrorKind.Failed, "the OVSDB transaction failed (" + x.getMessage()
                    + "); nothing was changed");
        } catch (NotAppliedException x) { // committed, not applied by ovs-vswitchd in time
            throw undo(e, "apply failed: " + x.getMessage(), x.kind(), x);
        } catch (RuntimeException x) {
            // the outcome is unknown (connection lost, timeout): restore the before-image to be sure
            throw undo(e, "apply failed: " + x.getMessage(), ErrorKind.Failed, x);
        }
    }

    /**
     * The networkd part of an apply or a rollback: every file written or removed (netdevs first) without a reload each,
     * then one {@code Reload} and a {@code ReconfigureLink} of every link whose {@code .network} changed and that
     * networkd knows.
     *
     * @throws NetStateException Conflict (a file became someone else's meanwhile), Failed (I/O, networkd's error)
     */
    private void runNet(NetPlanner.Plan p) {
        if (p.isEmpty()) {
            return;
        }
        NetworkFiles f = files();
        Networkd n = networkd();
        try {
            for (var w : p.writes().entrySet()) {
                f.write(w.getKey(), w.getValue(), false);
            }
            for (String r : p.removes()) {
                f.remove(r, false);
            }
            n.reload();
            for (String link : p.links()) {
                try {
                    n.reconfigure(link);
                } catch (NetworkdException x) {
                    if (x.kind() != ErrorKind.NotFound) {
                        throw x;
                    }
                }
            }
        } catch (FileNotOwnedException x) {
            throw new NetStateException(ErrorKind.Conflict, "systemd-networkd files: " + x.getMessage()
                    + " (someone else wrote it after it was read)", x);
        } catch (NetworkdException x) {
            throw new NetStateException(x.kind() == ErrorKind.Timeout ? ErrorKind.Timeout : ErrorKind.Failed, "systemd-networkd: "
                    + x.getMessage(), x);
        }
    }

    /**
     * Waits until systemd-networkd created the document's VLAN links and configured the static addresses it asked for
     * on the links networkd knows ({@code DescribeLink}), polling every 100 ms.
     *
     * @throws NetStateException Timeout after {@link Settings#networkdTimeoutMillis()}
     */
    private void awaitNetworkd(NetPlanner.Plan p) {
        if (p.vlans().isEmpty() && p.addresses().isEmpty()) {
            return;
        }
        Networkd n = networkd();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.networkdTimeoutMillis());
        String missing;
        do {
            missing = null;
            for (String v : p.vlans()) {
                if (!known(n, v)) {
                    missing = "VLAN link " + v + " was not created";
                    break;
                }
            }
            if (missing == null) {
                for (var a : p.addresses().entrySet()) {
                    if (!known(n, a.getKey())) {
                        continue; // a link that does not exist (yet): its file is in place
                    }
                    List<String> have = n.describe(a.getKey()).addresses().stream().map(x -> x.cidr()).toList();
                    for (String want : a.getValue()) {
                        if (!have.contains(want)) {
                            missing = a.getKey() + " has no address " + want;
                            break;
                        }
                    }
                    if (missing != null) {
                        break;
                    }
                }
            }
            if (missing == null) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new NetStateException(ErrorKind.Failed, "interrupted while waiting for systemd-networkd", x);
            }
        } while (System.nanoTime() < deadline);
        throw new NetStateException(ErrorKind.Timeout, "systemd-networkd did not apply the files within " + settings.networkdTimeoutMillis()
                + " ms: " + missing);
    }

    private static boolean known(Networkd n, String link) {
        try {
            n.link(link);
            return true;
        } catch (NetworkdException x) {
            if (x.kind() == ErrorKind.NotFound) {
                return false;
            }
            throw new NetStateException(ErrorKind.Failed, "systemd-networkd: " + x.getMessage(), x);
        }
    }

    /** A batch of the port agent failed (it changed nothing); {@link #done} are the keys of the batches made before it. */
    private static final class BatchFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Set<String> done;

        BatchFailed(RuntimeException cause, Set<String> done) {
            super(cause.getMessage(), cause);
            this.done = done;
        }
    }

    private static final Pattern CHANGE_ARG = Pattern.compile("changes\\[(\\d+)\\](.*)");

    /**
     * The container-port part of an apply or a rollback: the detach batch (with the VLAN changes), the attach batch,
     * then one OVSDB transaction that records the attached ports' settings ({@link Attachment}).
     *
     * @throws BatchFailed      a batch failed with the port agent's {@link InvalidArgumentException} (a change of the
     *                          document: argument its path) or a {@link NetStateException}: Conflict (a port the
     *                          plan expects to exist is gone or the other way round), Timeout, Failed
     * @throws NetStateException the settings could not be recorded (Failed)
     */
    private void runPorts(VSwitch v, PortsPlanner.Plan p, String caller) {
        if (p.isEmpty()) {
            return;
        }
        PortAgent a = agent();
        Set<String> done = new HashSet<>();
        if (!p.detach().isEmpty()) {
            try {
                batch(a, p.detach(), p.detachPaths(), caller);
            } catch (InvalidArgumentException | NetStateException x) {
                throw new BatchFailed(x, done);
            }
            p.detach().forEach(c -> done.add(c.container() + "/" + c.iface()));
        }
        fault("ports-detached");
        if (p.attach().isEmpty()) {
            return;
        }
        List<String> hosts;
        try {
            hosts = batch(a, p.attach(), p.attachPaths(), caller);
        } catch (InvalidArgumentException | NetStateException x) {
            throw new BatchFailed(x, done);
        }
        fault("ports-attached");
        TransactionBuilder tx = v.client().transaction(OvsSnapshot.DB);
        for (int i = 0; i < hosts.size(); i++) {
            List<Condition> where = List.of(Condition.eq("name", hosts.get(i)));
            tx.mutate("Interface", where, List.of(Mutation.delete("external_ids", Set.of(Attachment.KEY))));
            tx.mutate("Interface", where, List.of(Mutation.insert("external_ids", Map.of(Attachment.KEY,
                    p.attachWith().get(i).encode()))));
        }
        tx.comment("patchbay netstate: settings of attached container ports");
        try {
            TransactionBuilder.join(tx.executeAsync()).throwIfError();
        } catch (RuntimeException x) {
            throw new NetStateException(ErrorKind.Failed, "cannot record the settings of the attached container ports: "
                    + x.getMessage(), x);
        }
    }

    private static List<String> batch(PortAgent a, List<PortChange> changes, List<String> paths, String caller) {
        try {
            return a.apply(changes, caller);
        } catch (InvalidArgumentException x) {
            Matcher m = CHANGE_ARG.matcher(x.argument());
            if (m.matches() && paths.get(Integer.parseInt(m.group(1))) != null) {
                String rest = m.group(2).equals(".iface") ? ".interface" : m.group(2);
                throw new InvalidArgumentException(paths.get(Integer.parseInt(m.group(1))) + rest, x.rule());
            }
            throw new NetStateException(ErrorKind.Failed, "the port agent refused the container port changes: " + x.getMessage(), x);
        } catch (DomainException x) {
            ErrorKind k = switch (x.kind()) {
                case NotFound, AlreadyExists -> ErrorKind.Conflict;
                case Timeout -> ErrorKind.Timeout;
                default -> ErrorKind.Failed;
            };
            throw new NetStateException(k, "container ports: " + x.getMessage() + (k == ErrorKind.Conflict
                    ? " (someone else changed a container port after it was read)" : ""), x);
        }
    }

    /** Restores after the port agent refused a document's change; returns the document error to throw. */
    private RuntimeException undoInvalid(JournalEntry e, InvalidArgumentException x) {
        try {
            restore(e, "apply failed: " + x.getMessage());
            return x;
        } catch (RuntimeException r) {
            scheduleRecovery();
            return new NetStateException(ErrorKind.Failed, "apply failed: " + x.getMessage() + "; the rollback failed too ("
                    + r.getMessage() + "), it is retried every " + RETRY_MILLIS + " ms", x);
        }
    }

    /** Restores after a failed apply; returns the exception to throw (the restore's failure is added to it). */
    private NetStateException undo(JournalEntry e, String reason, ErrorKind kind, Exception cause) {
        try {
            restore(e, reason);
            return new NetStateException(kind, reason + "; rolled back", cause);
        } catch (RuntimeException x) {
            scheduleRecovery();
            return new NetStateException(ErrorKind.Failed, reason + "; the rollback failed too (" + x.getMessage()
                    + "), it is retried every " + RETRY_MILLIS + " ms", cause);
        }
    }

    private void scheduleRecovery() {
        if (recovery == null && !closed) {
            recovery = timer.schedule(this::recover, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }


    /** nmstate-style verification: the database now satisfies the document, and no written interface has an error. */
    private void verify(VSwitch v, Doc d, OvsReconciler.Plan plan) {
        OvsSnapshot s = snapshot(v);
        List<Change> left;
        try {
            left = plan(d, s).changes();
        } catch (InvalidArgumentException x) {
            throw new NetStateException(ErrorKind.Failed, "verification failed: " + x.getMessage(), x);
        }
        if (!left.isEmpty()) {
            Change c = left.get(0);
            throw new NetStateException(ErrorKind.Failed, "verification failed: " + c.kind() + " " + c.name()
                    + (c.field() == null ? " (" + c.op() + ")" : " " + c.field() + " is " + c.from() + ", not " + c.to()));
        }
        for (String i : plan.interfacesWritten()) {
            Row row = s.row("Interface", i);
            String err = row == null ? null : row.getString("error");
            if (err != null && !err.isEmpty()) {
                throw new NetStateException(ErrorKind.Failed, "interface " + i + ": ovs-vswitchd: " + err);
            }
        }
    }

    /**
     * Restores an entry's before-image in one transaction without guards, verifies it and journals
     * rolled-back. Called with the lock held.
     */
    private void restore(JournalEntry e, String reason) {
        JournalEntry rolling = e.with(JournalEntry.ROLLING_BACK, reason);
        journal.write(rolling);
        remember(rolling);
        fault("rollback-journaled");
        if (!e.files().isEmpty()) {
            runNet(NetPlanner.restore(e.files()));
            deleteCreatedLinks(e);
            fault("rollback-net");
        }
        VSwitch v = vs();
        List<dev.ovs.netstate.internal.ports.PortTarget> portTargets = PortsPlanner.restore(e.ports());
        if (!portTargets.isEmpty()) {
            PortsPlanner.Plan pp = PortsPlanner.plan(portTargets, PortsState.read(agent(), snapshot(v)), null, Set.of());
            try {
                runPorts(v, pp, "netstate rollback " + e.id());
            } catch (BatchFailed x) {
                throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + ": " + x.getMessage(), x.getCause());
            }
            fault("rollback-ports");
        }
        OvsSnapshot s = snapshot(v);
        List<RowTarget> targets = OvsReconciler.restoreTargets(e.images(), s.schema());
        OvsReconciler.Plan plan = OvsReconciler.plan(targets, s);
        if (!plan.isEmpty()) {
            TransactionBuilder tx = v.client().transaction(OvsSnapshot.DB);
            OvsReconciler.emit(plan, s, tx, false);
            tx.comment("patchbay netstate rollback " + e.id() + ": " + reason);
            try {
                v.commit(tx, Duration.ofMillis(settings.vswitchdTimeoutMillis()));
            } catch (NotAppliedException x) {
                if (x.kind() != ErrorKind.Timeout) {
                    throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " failed: " + x.getMessage(), x);
                }
                // the database holds the before-image; ovs-vswitchd catches up by itself
            } catch (RuntimeException x) {
                throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " failed: " + x.getMessage(), x);
            }
            fault("rollback-transaction");
        }
        OvsSnapshot after = snapshot(v);
        List<Change> left = new ArrayList<>(OvsReconciler.plan(targets, after).changes());
        if (!portTargets.isEmpty()) {
            left.addAll(PortsPlanner.plan(portTargets, PortsState.read(agent(), after), null, Set.of()).changes());
        }
        if (!e.files().isEmpty()) {
            List<String> files = NetPlanner.unrestored(e.files(), NetView.read(files(), null));
            if (!files.isEmpty()) {
                throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " not verified: systemd-networkd files " + files);
            }
        }
        if (!left.isEmpty()) {
            throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " not verified: " + left.get(0));
        }
        ScheduledFuture<?> f = deadlines.remove(e.id());
        if (f != null) {
            f.cancel(false);
        }
        JournalEntry done = e.with(JournalEntry.ROLLED_BACK, reason);
        journal.write(done);
        remember(done);
        events.accept(done.checkpoint(), "rolledback");
    }

    /**
     * Deletes the VLAN links an entry's apply created (their {@code .netdev} is removed by then): systemd-networkd
     * never deletes a link, so the port agent's {@link PortAgent#deleteLink} does.
     *
     * @throws NetStateException Failed when the port agent is missing or the kernel refused
     */
    private void deleteCreatedLinks(JournalEntry e) {
        for (dev.ovs.netstate.internal.net.FileImage i : e.files()) {
            String link = i.linkToDelete();
            if (link == null) {
                continue;
            }
            try {
                agent().deleteLink(link, "netstate rollback " + e.id());
            } catch (DomainException x) {
                throw new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + ": VLAN link " + link + " not deleted: "
                        + x.getMessage(), x);
            }
        }
    }

    private void arm(JournalEntry e) {
        long delayMicros = Math.max(0, e.deadlineMicros() - nowMicros());
        deadlines.put(e.id(), timer.schedule(() -> expire(e.id()), delayMicros, TimeUnit.MICROSECONDS));
    }

    private void expire(String id) {
        lock.lock();
        try {
            JournalEntry e = entries.get(id);
            if (closed || e == null || !e.phase().equals(JournalEntry.PENDING)) {
                return;
            }
            deadlines.remove(id);
            Ledger.Intent intent = null;
            try {
                intent = intent("auto: confirm timeout", "netstate.rollback", Map.of("checkpoint", e.id(), "document_sha256",
                        e.checkpoint().documentSha256()));
            } catch (NetStateException x) {
                // the rollback at the deadline runs without a ledger too
            }
            try {
                restore(e, "confirm timeout");
                succeeded(intent, "checkpoint " + e.id());
            } catch (RuntimeException x) {
                failed(intent, x);
                scheduleRecovery(); // the entry is rolling-back in the journal: recovery retries it
            }
        } finally {
            lock.unlock();
        }
    }

    private String pendingId() {
        for (JournalEntry e : entries.values()) {
            if (e.open()) {
                return e.id();
            }
        }
        return null;
    }

    private JournalEntry pendingEntry(String id) {
        JournalEntry e;
        if (id == null || id.isEmpty()) {
            String p = pendingId();
            if (p == null) {
                throw new NetStateException(ErrorKind.NotFound, "no checkpoint is pending");
            }
            e = entries.get(p);
        } else {
            e = entries.get(id);
            if (e == null) {
                throw new NetStateException(ErrorKind.NotFound, "no checkpoint " + id);
            }
        }
        if (!e.phase().equals(JournalEntry.PENDING)) {
            throw new NetStateException(ErrorKind.Failed, "checkpoint " + e.id() + " is not pending: " + e.checkpoint().state().wire());
        }
        return e;
    }

    @Override
    public void commit(String id, String caller) {
        lock.lock();
        try {
            checkAccepting();
            JournalEntry e = pendingEntry(id);
            Ledger.Intent intent = intent(caller == null ? "unknown" : caller, "netstate.commit", Map.of("checkpoint", e.id(),
                    "document_sha256", e.checkpoint().documentSha256()));
            JournalEntry done;
            try {
                done = e.with(JournalEntry.COMMITTED, null);
                journal.write(done);
            } catch (RuntimeException x) {
                failed(intent, x);
                throw x;
            }
            succeeded(intent, "checkpoint " + e.id());
            remember(done);
            ScheduledFuture<?> f = deadlines.remove(e.id());
            if (f != null) {
                f.cancel(false);
            }
            events.accept(done.checkpoint(), "committed");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void rollback(String id, String caller) {
        lock.lock();
        try {
            checkAccepting();
            JournalEntry e = pendingEntry(id);
            Ledger.Intent intent = intent(caller == null ? "unknown" : caller, "netstate.rollback", Map.of("checkpoint", e.id(),
                    "document_sha256", e.checkpoint().documentSha256()));
            try {
                restore(e, "rollback by " + (caller == null ? "unknown" : caller));
                succeeded(intent, "checkpoint " + e.id());
            } catch (RuntimeException x) {
                failed(intent, x);
                scheduleRecovery();
                throw x instanceof NetStateException n ? n
                        : new NetStateException(ErrorKind.Failed, "rollback of " + e.id() + " failed: " + x.getMessage(), x);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Checkpoint> checkpoints() {
        lock.lock();
        try {
            return entries.values().stream().map(JournalEntry::checkpoint).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Checkpoint> checkpoint(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(id)).map(JournalEntry::checkpoint);
        } finally {
            lock.unlock();
        }
    }

    /** Keeps an entry; drops the oldest settled ones (and their files) beyond {@code keep}. */
    private void remember(JournalEntry e) {
        entries.put(e.id(), e);
        int settled = (int) entries.values().stream().filter(x -> !x.open()).count();
        var it = entries.values().iterator();
        while (settled > settings.keep() && it.hasNext()) {
            JournalEntry old = it.next();
            if (!old.open() && !old.id().equals(e.id())) {
                it.remove();
                journal.delete(old.id());
                settled--;
            }
        }
    }

    private static String newId(long micros) {
        String t = ID_TIME.format(Instant.ofEpochSecond(micros / 1_000_000L));
        return t + "-" + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the timer thread; the journal stays (pending checkpoints keep their deadline for the next engine). */
    @Override
    public void close() {
        boolean locked = false;
        try {
            locked = lock.tryLock(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            closed = true;
            deadlines.values().forEach(f -> f.cancel(false));
            deadlines.clear();
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
