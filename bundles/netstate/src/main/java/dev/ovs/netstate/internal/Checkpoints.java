package dev.ovs.netstate.internal;

import dev.ovs.base.ErrorKind;
import dev.ovs.netstate.Checkpoint;
import dev.ovs.netstate.NetStateException;
import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.netstate.internal.journal.JournalEntry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * Checkpoint bookkeeping: every known checkpoint by id, oldest first (the journaled ones and the in-memory empty-diff
 * ones), the settled ones beyond {@code keep} dropped with their journal files; ids and times from the clock; the
 * events (created|committed|rolledback). Used with the engine's lock held.
 */
final class Checkpoints {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Journal journal;
    private final int keep;
    private final Clock clock;
    private final BiConsumer<Checkpoint, String> events;
    /** All known checkpoints by id, oldest first (journaled ones and the in-memory empty-diff ones). */
    private final Map<String, JournalEntry> entries = new LinkedHashMap<>();

    Checkpoints(Journal journal, int keep, Clock clock, BiConsumer<Checkpoint, String> events) {
        this.journal = journal;
        this.keep = keep;
        this.clock = clock;
        this.events = events == null ? (c, e) -> { } : events;
    }

    /** Reads every entry of the journal. */
    void load() {
        for (JournalEntry e : journal.readAll()) {
            entries.put(e.id(), e);
        }
    }

    /** @return the entries, oldest first (a view) */
    Collection<JournalEntry> all() {
        return entries.values();
    }

    /** @return the entry, or null */
    JournalEntry get(String id) {
        return entries.get(id);
    }

    /** Writes an entry to the journal only (see {@link #remember}). */
    void write(JournalEntry e) {
        journal.write(e);
    }

    /** Writes an entry to the journal, then {@link #remember}s it. */
    void record(JournalEntry e) {
        journal.write(e);
        remember(e);
    }

    /** Keeps an entry; drops the oldest settled ones (and their files) beyond {@code keep}. */
    void remember(JournalEntry e) {
        entries.put(e.id(), e);
        int settled = (int) entries.values().stream().filter(x -> !x.open()).count();
        var it = entries.values().iterator();
        while (settled > keep && it.hasNext()) {
            JournalEntry old = it.next();
            if (!old.open() && !old.id().equals(e.id())) {
                it.remove();
                journal.delete(old.id());
                settled--;
            }
        }
    }

    /** @param event created, committed or rolledback */
    void announce(JournalEntry e, String event) {
        events.accept(e.checkpoint(), event);
    }

    /** Entries to roll back before calls are accepted: applying, rolling back, or pending past the deadline. */
    List<JournalEntry> unfinished() {
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

    /** @return the id of the open checkpoint, or null */
    String pendingId() {
        for (JournalEntry e : entries.values()) {
            if (e.open()) {
                return e.id();
            }
        }
        return null;
    }

    /**
     * @param id a checkpoint id; null or empty: the pending one
     * @throws NetStateException NotFound (no such checkpoint, none pending), Failed (not pending)
     */
    JournalEntry pendingEntry(String id) {
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

    /** @return the clock's time in µs since the epoch */
    long nowMicros() {
        Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    /** @return a new checkpoint id: UTC time {@code yyyyMMdd'T'HHmmss'Z'}, a dash, 6 random hex digits */
    static String newId(long micros) {
        String t = ID_TIME.format(Instant.ofEpochSecond(micros / 1_000_000L));
        return t + "-" + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }
}
