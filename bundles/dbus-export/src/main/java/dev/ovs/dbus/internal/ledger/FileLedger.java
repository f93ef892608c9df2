package dev.ovs.dbus.internal.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.dbus.ledger.Ledger;
import dev.ovs.dbus.ledger.LedgerEntry;
import dev.ovs.dbus.ledger.LedgerStats;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ledger ({@link Ledger}) in a JSON-lines file with a keyed hash chain (format in {@link Ledger}), usable in
 * and outside a framework (tests, tools).
 *
 * <p>Opening creates the directory, the key file ({@link #keyPathFor}: 32 random bytes as 64 hex digits, written to
 * a temporary file of mode 0600, forced, renamed into place, directory forced) and the ledger file if missing
 * (then the directory is forced, so the new file survives a crash), locks the file ({@link FileChannel#tryLock()}:
 * two ledgers never interleave), cuts off a final line without newline (a write torn by a crash, see
 * {@link #repairNote()}) and verifies the whole file. A key file readable by group or others is set to 0600
 * (logged).
 *
 * <p>Appending: the line is written at the end of the last complete line and, with {@code sync}, forced with
 * fsync(2) before the call returns. If the write or the fsync fails (ENOSPC, EROFS, EIO) the file is cut back to
 * its previous length, so no part of the line stays, and the caller gets {@code Unavailable}
 * ({@code ledger: <reason>}); the chain is unchanged and goes on with the next append once the device takes it.
 * If even the cut fails, the file is closed and reopened on the next use (which drops a torn final line).
 * While the file cannot be opened (read-only or missing directory, lock held elsewhere) every {@link #begin}
 * tries again and fails with the reason.
 *
 * <p>Verification: {@link #verify()} reads the file by its path (so a file replaced behind the ledger's back is
 * what is checked), recomputes every HMAC and back-link, and compares the count and head with what this ledger
 * wrote. {@link #stats()} verifies when the file's size, modification time or inode differ from what the last
 * verification or this ledger's own last append left.
 */
public final class FileLedger implements Ledger, Closeable {
    /** {@code prev} of the first line: {@value}. */
    public static final String GENESIS = "0000000000000000000000000000000000000000000000000000000000000000";
    /** Entries kept in memory for {@link #tail(int)}. */
    static final int TAIL_KEEP = 1000;
    /** Key length in bytes (HMAC-SHA-256, RFC 2104 §3: at least the hash output length). */
    static final int KEY_BYTES = 32;
    private static final String HMAC = "HmacSHA256";
    private static final System.Logger LOG = System.getLogger(FileLedger.class.getName());

    private final ObjectMapper json = new ObjectMapper();
    private final Path path;
    private final Path keyPath;
    private final boolean sync;
    private final Clock clock;
    private final Deque<LedgerEntry> recent = new ArrayDeque<>();
    private Mac mac;
    private RandomAccessFile raf;
    private FileLock lock;
    /** Length of the complete lines of the file (where the next line goes). */
    private long end;
    private long height;
    private String head = GENESIS;
    private String firstTime;
    private String lastTime;
    private boolean verified;
    private String problem;
    /** Why the file is not open ({@code ledger: <reason>}), or null while it is. */
    private String unavailable;
    private String repairNote;
    /** The file as the last verification or own append left it. */
    private Fingerprint checked;
    private boolean closed;

    /** Size, modification time and inode of the file. */
    private record Fingerprint(long size, FileTime mtime, Object key) {
    }

    private FileLedger(Path path, Path keyPath, boolean sync, Clock clock) {
        this.path = path.toAbsolutePath().normalize();
        this.keyPath = keyPath.toAbsolutePath().normalize();
        this.sync = sync;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Opens (creating what is missing) and verifies a ledger, key file {@link #keyPathFor(Path)}.
     *
     * @param path  the ledger file
     * @param sync  whether every line is forced to the device (fsync) before the append returns
     * @param clock time source of the lines
     * @return the open ledger
     * @throws IOException           if the directory, key or file cannot be created, read or locked
     * @throws IllegalStateException if another ledger (this or another process) holds the file's lock
     */
    public static FileLedger open(Path path, boolean sync, Clock clock) throws IOException {
        FileLedger l = new FileLedger(path, keyPathFor(path), sync, clock);
        synchronized (l) {
            l.openFile();
        }
        return l;
    }

    /**
     * Like {@link #open(Path, boolean, Clock)}, but a ledger that cannot be opened now is returned anyway: its
     * {@link #stats()} name the reason in {@code problem}, and every {@link #begin} tries to open it again (and
     * fails with {@code Unavailable} while it cannot).
     *
     * @param path  the ledger file
     * @param sync  whether every line is forced to the device
     * @param clock time source
     * @return the ledger, open or not
     */
    public static FileLedger openOrRetry(Path path, boolean sync, Clock clock) {
        FileLedger l = new FileLedger(path, keyPathFor(path), sync, clock);
        synchronized (l) {
            try {
                l.openFile();
            } catch (IOException | RuntimeException e) {
                l.unavailable = "ledger: " + reason(e);
                LOG.log(Level.WARNING, "dev.ovs.ledger: cannot open " + l.path + " (" + reason(e)
                        + "); mutating operations are refused until it can be opened");
            }
        }
        return l;
    }

    /**
     * Verifies a ledger file without taking it over (no lock, nothing written, no key made): every line's HMAC with
     * the key and every back-link, e.g. of a ledger another process is writing.
     *
     * @param path    the ledger file
     * @param keyPath its key file ({@link #keyPathFor(Path)})
     * @return the statistics of what the file holds; {@code verified} if every line checks out
     * @throws IOException if the file or the key cannot be read, or the key is malformed
     */
    public static LedgerStats check(Path path, Path keyPath) throws IOException {
        FileLedger l = new FileLedger(path, keyPath, false, Clock.systemUTC());
        synchronized (l) {
            if (!Files.exists(l.keyPath)) {
                throw new NoSuchFileException(l.keyPath.toString(), null, "no key file");
            }
            l.loadOrCreateKey(false);
            Result r = l.check();
            return new LedgerStats(r.height, r.head, r.problem == null, r.firstTime, r.lastTime, r.problem,
                    l.path.toString());
        }
    }

    /**
     * The key file of a ledger: in the same directory, the ledger's file name up to its last {@code '.'} plus
     * {@code .key} ({@code ledger.jsonl} → {@code ledger.key}).
     *
     * @param ledger the ledger file
     * @return the key file
     */
    public static Path keyPathFor(Path ledger) {
        String name = ledger.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return ledger.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".key");
    }

    /** @return the ledger file */
    public Path path() {
        return path;
    }

    /** @return the key file */
    public Path keyPath() {
        return keyPath;
    }

    private void openFile() throws IOException {
        Path dir = path.getParent();
        Files.createDirectories(dir);
        boolean existed = Files.exists(path);
        loadOrCreateKey(existed && Files.size(path) > 0);
        RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw");
        FileLock l;
        try {
            l = f.getChannel().tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        if (l == null) {
            f.close();
            throw new IllegalStateException("ledger " + path + " is locked by another process");
        }
        try {
            if (!existed) {
                forceDirectory(dir);
            }
            raf = f;
            lock = l;
            load();
        } catch (IOException | RuntimeException e) {
            closeFile();
            throw e;
        }
        unavailable = null;
    }

    private void loadOrCreateKey(boolean ledgerHasLines) throws IOException {
        byte[] key;
        if (Files.exists(keyPath)) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyPath);
            Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
            open.retainAll(perms);
            if (!open.isEmpty()) {
                Files.setPosixFilePermissions(keyPath, EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE));
                LOG.log(Level.WARNING, "dev.ovs.ledger: key file " + keyPath + " had mode "
                        + PosixFilePermissions.toString(perms) + "; set to rw-------");
            }
            String hex = Files.readString(keyPath, StandardCharsets.US_ASCII).trim();
            try {
                key = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                key = new byte[0];
            }
            if (key.length != KEY_BYTES) {
                throw new IOException("key file " + keyPath + ": must hold " + 2 * KEY_BYTES + " hex digits");
            }
        } else {
            key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            Path tmp = keyPath.resolveSibling("." + keyPath.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE)));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap((HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
                Files.move(tmp, keyPath, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            forceDirectory(keyPath.getParent());
            if (ledgerHasLines) {
                LOG.log(Level.WARNING, "dev.ovs.ledger: no key file " + keyPath + " for the existing ledger " + path
                        + ": made a new key; the existing lines do not verify with it");
            }
        }
        try {
            Mac m = Mac.getInstance(HMAC);
            m.init(new SecretKeySpec(key, HMAC));
            mac = m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 missing from the JDK", e);
        }
    }

    /** fsync(2) of a directory, so that an entry just created in it survives a crash. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Cuts a torn final line off, then verifies the file and takes its state. */
    private void load() throws IOException {
        long size = raf.length();
        long complete = size;
        if (size > 0) {
            raf.seek(size - 1);
            if (raf.read() != '\n') {
                complete = lastNewlineEnd(size);
                raf.setLength(complete);
                if (sync) {
                    raf.getFD().sync();
                }
                repairNote = "dropped a torn final line of " + (size - complete) + " bytes (interrupted write)";
                LOG.log(Level.WARNING, "dev.ovs.ledger: " + path + ": " + repairNote);
            }
        }
        end = complete;
        Result r = check();
        height = r.height;
        head = r.head;
        firstTime = r.firstTime;
        lastTime = r.lastTime;
        verified = r.problem == null;
        problem = r.problem;
        recent.clear();
        recent.addAll(r.tail);
        if (!verified) {
            LOG.log(Level.WARNING, "dev.ovs.ledger: " + path + " does not verify: " + problem);
        }
    }

    /** Offset just after the last {@code '\n'} before {@code size} (0 if none). */
    private long lastNewlineEnd(long size) throws IOException {
        byte[] buf = new byte[8192];
        long pos = size;
        while (pos > 0) {
            int n = (int) Math.min(buf.length, pos);
            pos -= n;
            raf.seek(pos);
            raf.readFully(buf, 0, n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf[i] == '\n') {
                    return pos + i + 1;
                }
            }
        }
        return 0;
    }

    private record Result(long height, String head, String firstTime, String lastTime, String problem,
            List<LedgerEntry> tail) {
    }

    /** Reads the file by its path and checks every line (fingerprint taken first). */
    private Result check() throws IOException {
        checked = fingerprint();
        long n = 0;
        String prev = GENESIS;
        String first = null;
        String last = null;
        String prob = null;
        Deque<LedgerEntry> tail = new ArrayDeque<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(path),
                StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
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
                if (prob == null) {
                    if (o.path("seq").asLong(-1) != n) {
                        prob = "line " + lineNo + ": seq " + o.path("seq").asText() + ", expected " + n
                                + " (entry inserted or removed)";
                    } else if (!o.path("prev").asText("").equals(prev)) {
                        prob = "line " + lineNo + ": prev does not match the hash of the line before"
                                + " (entry removed, inserted or reordered)";
                    } else if (!hmac(body.toString()).equals(stored)) {
                        prob = "line " + lineNo + ": hash mismatch (entry altered, or not written with this"
                                + " ledger's key)";
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
        }
        return new Result(n, prev, first, last, prob, new ArrayList<>(tail));
    }

    private Fingerprint fingerprint() throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return new Fingerprint(a.size(), a.lastModifiedTime(), a.fileKey());
    }

    private String hmac(String s) {
        return HexFormat.of().formatHex(mac.doFinal(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static LedgerEntry toEntry(ObjectNode o) {
        Map<String, String> args = new TreeMap<>();
        o.path("args").fields().forEachRemaining(e -> args.put(e.getKey(), e.getValue().asText()));
        return new LedgerEntry(o.path("seq").asLong(), o.path("time").asText(null), o.path("caller").asText(null),
                o.path("op").asText(null), args, o.path("result").asText(null), o.path("of").asLong(0),
                o.path("prev").asText(null), o.path("hash").asText(null));
    }

    /** Writes one line (forced with {@code sync}); on failure nothing of it stays in the file. */
    private LedgerEntry write(String caller, String operation, Map<String, String> args, String result, long of)
            throws IOException {
        ObjectNode o = json.createObjectNode();
        long seq = height + 1;
        String time = clock.instant().toString();
        o.put("seq", seq);
        o.put("time", time);
        o.put("caller", caller == null ? "" : caller);
        o.put("op", operation);
        ObjectNode a = o.putObject("args");
        new TreeMap<>(args).forEach((k, v) -> a.put(k, v == null ? "" : v));
        o.put("result", result);
        if (of > 0) {
            o.put("of", of);
        }
        o.put("prev", head);
        String hash = hmac(o.toString());
        o.put("hash", hash);
        byte[] line = (o.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            raf.seek(end);
            raf.write(line);
            if (sync) {
                raf.getFD().sync();
            }
        } catch (IOException e) {
            cutBack();
            throw e;
        }
        end += line.length;
        height = seq;
        head = hash;
        if (firstTime == null) {
            firstTime = time;
        }
        lastTime = time;
        try {
            if (checked != null && checked.size() + line.length == end) {
                checked = fingerprint();
            }
        } catch (IOException e) {
            checked = null; // the next stats() verifies
        }
        LedgerEntry entry = toEntry(o);
        recent.addLast(entry);
        if (recent.size() > TAIL_KEEP) {
            recent.removeFirst();
        }
        return entry;
    }

    /** After a failed write: the file back to its complete lines; if that fails too, closed for a reopen. */
    private void cutBack() {
        try {
            raf.setLength(end);
            if (sync) {
                raf.getFD().sync();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "dev.ovs.ledger: cannot cut " + path + " back to " + end + " bytes after a failed"
                    + " write (" + reason(e) + "); reopening it on the next use");
            closeFile();
            unavailable = "ledger: " + reason(e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new DomainException(ErrorKind.Unavailable, "ledger: closed", null);
        }
        if (raf == null) {
            try {
                openFile();
            } catch (IOException | RuntimeException e) {
                unavailable = "ledger: " + reason(e);
                throw new DomainException(ErrorKind.Unavailable, unavailable, e);
            }
        }
    }

    @Override
    public synchronized Intent begin(String caller, String operation, Map<String, String> args) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(args, "args");
        ensureOpen();
        try {
            return new Pending(write(caller, operation, args, LedgerEntry.INTENT, 0).seq(), caller, operation);
        } catch (IOException e) {
            throw new DomainException(ErrorKind.Unavailable, "ledger: " + reason(e), e);
        }
    }

    /** An intent waiting for its outcome. */
    private final class Pending implements Intent {
        private final long seq;
        private final String caller;
        private final String operation;
        private boolean done;

        Pending(long seq, String caller, String operation) {
            this.seq = seq;
            this.caller = caller;
            this.operation = operation;
        }

        @Override
        public long seq() {
            return seq;
        }

        @Override
        public boolean succeeded(String detail) {
            return outcome(detail == null || detail.isEmpty() ? "ok" : "ok: " + detail);
        }

        @Override
        public boolean failed(String message) {
            return outcome("error: " + message);
        }

        private boolean outcome(String result) {
            synchronized (FileLedger.this) {
                if (done) {
                    return false;
                }
                done = true;
                try {
                    ensureOpen();
                    write(caller, operation, Map.of(), result, seq);
                    return true;
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "dev.ovs.ledger: outcome of line " + seq + " (" + operation + ": " + result
                            + ") not recorded: " + reason(e) + "; the intent stays without outcome");
                    return false;
                }
            }
        }
    }

    @Override
    public synchronized LedgerStats stats() {
        if (raf != null) {
            Fingerprint now;
            try {
                now = fingerprint();
            } catch (IOException e) {
                now = null;
            }
            if (now == null || !now.equals(checked)) {
                verifyOpen();
            }
        }
        return snapshot();
    }

    @Override
    public synchronized LedgerStats verify() {
        if (raf == null && !closed) {
            try {
                openFile(); // verifies
            } catch (IOException | RuntimeException e) {
                unavailable = "ledger: " + reason(e);
            }
            return snapshot();
        }
        if (raf != null) {
            verifyOpen();
        }
        return snapshot();
    }

    private void verifyOpen() {
        try {
            Result r = check();
            boolean same = r.head.equals(head) && r.height == height;
            verified = r.problem == null && same;
            problem = r.problem != null ? r.problem
                    : same ? null : "file has " + r.height + " lines with head " + r.head + ", but " + height
                            + " lines with head " + head + " were written (lines removed at the end, appended by"
                            + " someone else, or the file replaced)";
        } catch (NoSuchFileException e) {
            checked = null;
            verified = false;
            problem = "ledger file " + path + " is missing (removed or renamed while open)";
        } catch (IOException e) {
            checked = null;
            verified = false;
            problem = "cannot read " + path + ": " + reason(e);
        }
    }

    private LedgerStats snapshot() {
        String p = problem;
        if (unavailable != null) {
            p = p == null ? unavailable : unavailable + "; " + p;
        }
        return new LedgerStats(height, head, verified && unavailable == null, firstTime, lastTime, p,
                path.toString());
    }

    @Override
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

    /** @return a note about a repair made when the file was opened (a torn final line cut off), or null */
    public synchronized String repairNote() {
        return repairNote;
    }

    /** @return whether the file is open (false while it cannot be: see {@link LedgerStats#problem()}) */
    public synchronized boolean isOpen() {
        return raf != null;
    }

    private void closeFile() {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // closing anyway
        }
        try {
            if (raf != null) {
                raf.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        lock = null;
        raf = null;
    }

    /** Releases the lock and closes the file; later appends fail with {@code Unavailable}. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        closeFile();
    }

    /**
     * The operating system's reason of an I/O failure: {@code No space left on device}, {@code Read-only file
     * system}, ...; the path only where the reason names a file other than the ledger ({@code File exists: <path>}).
     */
    static String reason(Throwable e) {
        if (e instanceof FileSystemException f) {
            if (f.getReason() != null) {
                return f.getReason();
            }
            if (f instanceof java.nio.file.FileAlreadyExistsException) {
                return "File exists: " + f.getFile();
            }
            if (f instanceof NoSuchFileException) {
                return "No such file or directory: " + f.getFile();
            }
            if (f instanceof java.nio.file.AccessDeniedException) {
                return "Permission denied: " + f.getFile();
            }
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof FileNotFoundException && m.endsWith(")") && m.lastIndexOf(" (") > 0) {
            return m.substring(m.lastIndexOf(" (") + 2, m.length() - 1); // "path (reason)"
        }
        return m;
    }
}
