package dev.ovs.portagent.internal.ledger;

import dev.ovs.base.InvalidArgumentException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.portagent.LedgerEntry;
import dev.ovs.portagent.LedgerStats;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Append-only, hash-chained (SHA-256, FIPS 180-4) operation ledger in a JSON-lines file.
 *
 * <p>Line format: {@code {"seq":N,"time":"...","caller":"...","op":"...","args":{...},"result":"...",
 * "prev":"<hex>","hash":"<hex>"}} where {@code hash = SHA-256(UTF-8 bytes of the same object without
 * "hash")} exactly as written, and {@code prev} is the previous line's hash (64 zeros for the first).
 * Changing, removing, inserting or reordering any entry but the last breaks the chain and is
 * reported by {@link #verify()} with the first bad line; only truncating at the end is undetectable
 * without an external anchor (compare {@link LedgerStats#headHash()} with a remembered value).
 *
 * <p>{@link #open(Path, boolean, Clock)} verifies the whole file. A final line without newline (a
 * write torn by a crash) is cut off and reported in {@link #repairNote()}; everything else wrong is
 * kept as evidence and makes {@code verified} false (appending continues after the last line). The
 * file is locked ({@link FileChannel#tryLock()}) while open, so two agents cannot interleave.
 * Thread-safe.
 */
public final class Ledger implements Closeable {
    /** Hash of the (absent) entry before the first. */
    public static final String GENESIS = "0".repeat(64);
    private static final int TAIL_KEEP = 1000;
    private final ObjectMapper json = new ObjectMapper();
    private final Path path;
    private final boolean sync;
    private final Clock clock;
    private final RandomAccessFile raf;
    private final FileChannel ch;
    private final FileLock lock;
    private final Deque<LedgerEntry> recent = new ArrayDeque<>();
    private long height;
    private String head = GENESIS;
    private String firstTime;
    private String lastTime;
    private boolean verified;
    private String problem;
    private String repairNote;
    private boolean closed;

    private Ledger(Path path, boolean sync, Clock clock, RandomAccessFile raf, FileLock lock) {
        this.path = path;
        this.sync = sync;
        this.clock = clock;
        this.raf = raf;
        this.ch = raf.getChannel();
        this.lock = lock;
    }

    /**
     * Opens (creating it and its directory if missing, mode from the umask) and verifies a ledger.
     *
     * @param path  the ledger file
     * @param sync  whether every append is forced to the device (fdatasync) before it returns
     * @param clock time source for entries
     * @return the open ledger
     * @throws IOException           if the file cannot be created, read or locked
     * @throws IllegalStateException if another process (or another open instance) holds the lock
     */
    public static Ledger open(Path path, boolean sync, Clock clock) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // RandomAccessFile reads and writes are not interruptible (a FileChannel is closed for everybody
        // when a thread using it is interrupted); the channel is only used for the lock
        RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw");
        FileLock lock;
        try {
            lock = raf.getChannel().tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            raf.close();
            throw e;
        }
        if (lock == null) {
            raf.close();
            throw new IllegalStateException("ledger " + path + " is locked by another agent");
        }
        Ledger l = new Ledger(path, sync, clock, raf, lock);
        try {
            l.load();
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
        return l;
    }

    private byte[] readAll() throws IOException {
        long size = raf.length();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("ledger " + path + " is larger than 2 GiB");
        }
        byte[] data = new byte[(int) size];
        raf.seek(0);
        raf.readFully(data);
        return data;
    }

    private synchronized void load() throws IOException {
        byte[] data = readAll();
        int end = data.length;
        int lastNl = -1;
        for (int i = end - 1; i >= 0; i--) {
            if (data[i] == '\n') {
                lastNl = i;
                break;
            }
        }
        if (lastNl < end - 1) {
            repairNote = "dropped a torn final line of " + (end - 1 - lastNl) + " bytes (interrupted write)";
            raf.setLength(lastNl + 1);
            end = lastNl + 1;
        }
        Result r = check(new String(data, 0, end, StandardCharsets.UTF_8));
        height = r.height;
        head = r.head;
        firstTime = r.firstTime;
        lastTime = r.lastTime;
        verified = r.problem == null;
        problem = r.problem;
        recent.clear();
        recent.addAll(r.tail);
    }

    private record Result(long height, String head, String firstTime, String lastTime, String problem, List<LedgerEntry> tail) {
    }

    private Result check(String text) {
        long n = 0;
        String prev = GENESIS;
        String first = null;
        String last = null;
        String prob = null;
        Deque<LedgerEntry> tail = new ArrayDeque<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            lineNo++;
            n++;
            ObjectNode o;
            try {
                JsonNode node = json.readTree(line);
                if (!(node instanceof ObjectNode)) {
                    throw new IOException("not an object");
                }
                o = (ObjectNode) node;
            } catch (IOException e) {
                if (prob == null) {
                    prob = "line " + lineNo + ": not a JSON object (entry corrupted)";
                }
                continue;
            }
            String stored = o.path("hash").asText("");
            ObjectNode body = o.deepCopy();
            body.remove("hash");
            String computed = sha256(body.toString());
            if (prob == null) {
                if (o.path("seq").asLong(-1) != n) {
                    prob = "line " + lineNo + ": seq " + o.path("seq").asText() + ", expected " + n
                            + " (entry inserted or removed)";
                } else if (!o.path("prev").asText("").equals(prev)) {
                    prob = "line " + lineNo + ": prev does not match the hash of line " + (lineNo - 1)
                            + " (entry removed, inserted or reordered)";
                } else if (!computed.equals(stored)) {
                    prob = "line " + lineNo + ": hash mismatch (entry altered)";
                }
            }
            prev = stored;
            String t = o.path("time").asText(null);
            if (first == null) {
                first = t;
            }
            last = t;
            tail.addLast(toEntry(o));
            if (tail.size() > TAIL_KEEP) {
                tail.removeFirst();
            }
        }
        return new Result(n, prev, first, last, prob, new ArrayList<>(tail));
    }

    private LedgerEntry toEntry(ObjectNode o) {
        Map<String, String> args = new TreeMap<>();
        o.path("args").fields().forEachRemaining(e -> args.put(e.getKey(), e.getValue().asText()));
        return new LedgerEntry(o.path("seq").asLong(), o.path("time").asText(null), o.path("caller").asText(null),
                o.path("op").asText(null), args, o.path("result").asText(null), o.path("prev").asText(null),
                o.path("hash").asText(null));
    }

    /**
     * Appends one entry and (if {@code sync}) forces it to the device.
     *
     * @param caller    who asked (free text, e.g. {@code "shell:root"})
     * @param operation operation name, e.g. {@code "add-port"}
     * @param args      arguments (values as text; null values are written as empty strings)
     * @param result    {@code "ok"}, {@code "ok: ..."} or {@code "error: ..."}
     * @return the written entry
     * @throws UncheckedIOException  if the write fails (the entry is then not part of the chain)
     * @throws IllegalStateException if the ledger is closed
     */
    public synchronized LedgerEntry append(String caller, String operation, Map<String, String> args, String result) {
        if (closed) {
            throw new IllegalStateException("ledger " + path + " is closed");
        }
        ObjectNode o = json.createObjectNode();
        long seq = height + 1;
        String time = clock.instant().toString();
        o.put("seq", seq);
        o.put("time", time);
        o.put("caller", caller == null ? "" : caller);
        o.put("op", operation);
        ObjectNode a = o.putObject("args");
        new TreeMap<>(args).forEach((k, v) -> a.put(k, v == null ? "" : v));
        o.put("result", result == null ? "" : result);
        o.put("prev", head);
        String hash = sha256(o.toString());
        o.put("hash", hash);
        byte[] line = (o.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            raf.seek(raf.length());
            raf.write(line);
            if (sync) {
                raf.getFD().sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to ledger " + path, e);
        }
        height = seq;
        head = hash;
        if (firstTime == null) {
            firstTime = time;
        }
        lastTime = time;
        LedgerEntry e = toEntry(o);
        recent.addLast(e);
        if (recent.size() > TAIL_KEEP) {
            recent.removeFirst();
        }
        return e;
    }

    /**
     * Re-reads and re-verifies the whole file (detects tampering since open).
     *
     * @return the stats after verification
     * @throws UncheckedIOException if the file cannot be read
     */
    public synchronized LedgerStats verify() {
        try {
            byte[] all = readAll();
            Result r = check(new String(all, StandardCharsets.UTF_8));
            verified = r.problem == null && r.head.equals(head) && r.height == height;
            problem = r.problem != null ? r.problem
                    : verified ? null : "file has " + r.height + " entries with head " + r.head + ", but " + height
                            + " entries with head " + head + " were written (entries removed at the end or appended by someone else)";
            return stats();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ledger " + path, e);
        }
    }

    /** @return current statistics (from the last verification plus appends since) */
    public synchronized LedgerStats stats() {
        return new LedgerStats(height, head, verified, firstTime, lastTime, problem, path.toString());
    }

    /**
     * The last entries (at most 1000 are kept in memory).
     *
     * @param n how many, &gt;= 0
     * @return up to {@code n} entries, oldest first
     * @throws InvalidArgumentException if {@code n} is negative
     */
    public synchronized List<LedgerEntry> tail(int n) {
        if (n < 0) {
            throw new InvalidArgumentException("n", "must be >= 0, got " + n);
        }
        List<LedgerEntry> out = new ArrayList<>(Math.min(n, recent.size()));
        Iterator<LedgerEntry> it = recent.descendingIterator();
        while (it.hasNext() && out.size() < n) {
            out.add(0, it.next());
        }
        return out;
    }

    /** @return a note about a repair done on open (torn final line), or null */
    public synchronized String repairNote() {
        return repairNote;
    }

    /**
     * Stats as the JSON that D-Bus {@code GetBlockchainStats} returns: {@code {"height":N,
     * "head_hash":"..","verified":true,"first_time":"..","last_time":"..","problem":null,"path":".."}}.
     *
     * @param s stats
     * @return JSON text
     */
    public static String toJson(LedgerStats s) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("height", s.height());
        o.put("head_hash", s.headHash());
        o.put("verified", s.verified());
        o.put("first_time", s.firstTime());
        o.put("last_time", s.lastTime());
        o.put("problem", s.problem());
        o.put("path", s.path());
        return o.toString();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Releases the lock and closes the file. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                if (lock.isValid()) {
                    lock.release();
                }
            } finally {
                raf.close();
            }
        }
    }
}
