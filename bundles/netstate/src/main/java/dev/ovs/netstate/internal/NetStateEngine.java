package dev.ovs.netstate.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.NetState;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.doc.Doc;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.netstate.internal.journal.JournalEntry;
import dev.ovs.netstate.internal.ovs.OvsSnapshot;
import dev.ovs.networkd.NetworkFiles;
import dev.ovs.networkd.Networkd;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.portagent.PortAgent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * <p>
 * The engine is the facade: it validates calls, holds the lock and records them in the ledger; {@code Planning}
 * parses and plans documents, {@code ApplyPipeline} applies a plan, {@code Rollback} restores a checkpoint,
 * {@code ConfirmDeadlines} and {@code Recovery} run on the {@code EngineTimer} thread, {@code Checkpoints} keeps the
 * checkpoints and {@code FaultPoints} names the steps for the crash tests.
 */
public final class NetStateEngine implements NetState, AutoCloseable {
    /** Longest confirm timeout, in seconds: {@value}. */
    public static final long MAX_CONFIRM_SECONDS = 86400;

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

    private final Services services;
    private final Checkpoints checkpoints;
    private final Planning planning;
    private final LedgerRecords ledgerRecords = new LedgerRecords();
    private final FaultPoints faults = new FaultPoints();
    private final ReentrantLock lock = new ReentrantLock();
    private final EngineTimer timer = new EngineTimer();
    private final Rollback rollback;
    private final Recovery recovery;
    private final ConfirmDeadlines deadlines;
    private final ApplyPipeline pipeline;

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
        this.services = new Services(vswitch, portAgent, networkFiles, networkd);
        this.checkpoints = new Checkpoints(journal, settings.keep(), clock, events);
        this.planning = new Planning(services, settings.defaultDatapathType());
        PortBatches ports = new PortBatches(services, faults);
        NetworkdSteps net = new NetworkdSteps(services, settings.networkdTimeoutMillis());
        this.rollback = new Rollback(services, checkpoints, timer, ports, net, faults, settings.vswitchdTimeoutMillis());
        this.recovery = new Recovery(lock, checkpoints, rollback, timer);
        this.deadlines = new ConfirmDeadlines(lock, checkpoints, timer, rollback, recovery, ledgerRecords);
        this.pipeline = new ApplyPipeline(services, checkpoints, planning, ports, net, rollback, recovery, deadlines, faults,
                settings.vswitchdTimeoutMillis());
        lock.lock();
        try {
            checkpoints.load();
            for (JournalEntry e : checkpoints.all()) {
                if (e.phase().equals(JournalEntry.PENDING) && e.deadlineMicros() > checkpoints.nowMicros()) {
                    deadlines.arm(e);
                }
            }
            recovery.start();
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
        ledgerRecords.ledger(ledger);
    }

    /** @param hook called with the name of each step of apply and rollback (tests); null: none */
    void faultHook(Consumer<String> hook) {
        faults.hook(hook);
    }

    /** @return true while journaled work from before the start is still being rolled back */
    public boolean recovering() {
        lock.lock();
        try {
            return !checkpoints.unfinished().isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void checkAccepting() {
        if (timer.closed()) {
            throw new NetStateException(ErrorKind.Failed, "the network state service is stopping");
        }
        List<JournalEntry> u = checkpoints.unfinished();
        if (!u.isEmpty()) {
            throw new NetStateException(ErrorKind.Failed, "checkpoint " + u.get(0).id()
                    + " is being rolled back (unfinished at start or at its deadline); try again when it is done");
        }
    }

    @Override
    public String show() {
        return planning.show();
    }

    @Override
    public List<Change> diff(String document) {
        Doc d = planning.parse(document);
        return planning.plan(d, services.snapshot(services.vs())).changes();
    }

    @Override
    public String apply(String document, long confirmSeconds, String caller) {
        if (confirmSeconds < 0 || confirmSeconds > MAX_CONFIRM_SECONDS) {
            throw new InvalidArgumentException("confirmSeconds", "must be 0.." + MAX_CONFIRM_SECONDS + ", got " + confirmSeconds);
        }
        Doc d = planning.parse(document);
        String who = caller == null ? "unknown" : caller;
        lock.lock();
        try {
            checkAccepting();
            VSwitch v = services.vs();
            OvsSnapshot s = services.snapshot(v);
            Planning.Plans plans = planning.plan(d, s);
            long now = checkpoints.nowMicros();
            String id = Checkpoints.newId(now);
            String sha = sha256(document);
            Map<String, String> args = new LinkedHashMap<>();
            args.put("checkpoint", id);
            args.put("document_sha256", sha);
            args.put("confirm_seconds", Long.toString(confirmSeconds));
            args.put("changes", Integer.toString(plans.changes().size()));
            Ledger.Intent intent = ledgerRecords.intent(who, "netstate.apply", args);
            try {
                String out = pipeline.apply(d, v, s, plans, now, id, sha, who, confirmSeconds);
                LedgerRecords.succeeded(intent, "checkpoint " + out + (plans.isEmpty() ? " (no changes)" : ""));
                return out;
            } catch (RuntimeException x) {
                LedgerRecords.failed(intent, x);
                throw x;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void commit(String id, String caller) {
        lock.lock();
        try {
            checkAccepting();
            JournalEntry e = checkpoints.pendingEntry(id);
            Ledger.Intent intent = ledgerRecords.intent(caller == null ? "unknown" : caller, "netstate.commit", Map.of("checkpoint",
                    e.id(), "document_sha256", e.checkpoint().documentSha256()));
            JournalEntry done;
            try {
                done = e.with(JournalEntry.COMMITTED, null);
                checkpoints.write(done);
            } catch (RuntimeException x) {
                LedgerRecords.failed(intent, x);
                throw x;
            }
            LedgerRecords.succeeded(intent, "checkpoint " + e.id());
            checkpoints.remember(done);
            timer.disarm(e.id());
            checkpoints.announce(done, "committed");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void rollback(String id, String caller) {
        lock.lock();
        try {
            checkAccepting();
            JournalEntry e = checkpoints.pendingEntry(id);
            Ledger.Intent intent = ledgerRecords.intent(caller == null ? "unknown" : caller, "netstate.rollback", Map.of(
                    "checkpoint", e.id(), "document_sha256", e.checkpoint().documentSha256()));
            try {
                rollback.restore(e, "rollback by " + (caller == null ? "unknown" : caller));
                LedgerRecords.succeeded(intent, "checkpoint " + e.id());
            } catch (RuntimeException x) {
                LedgerRecords.failed(intent, x);
                recovery.retryLater();
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
            return checkpoints.all().stream().map(JournalEntry::checkpoint).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Checkpoint> checkpoint(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(checkpoints.get(id)).map(JournalEntry::checkpoint);
        } finally {
            lock.unlock();
        }
    }

    /** @return the SHA-256 of the text's UTF-8 bytes, 64 lowercase hex digits */
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
            timer.stop();
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
        timer.shutdown();
    }
}
