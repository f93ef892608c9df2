package dev.ovs.fleet.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.client.ReportJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The durable record of the last desired revision this host took on, so that no revision is ever attempted twice
 * (also across NATS reconnects, bundle updates and restarts). One small JSON file ({@code state.file}, default
 * {@code <patchbay.state>/fleet.json}) written atomically: a temporary file in the same directory, {@code fsync},
 * then {@code rename(2)} over the old one.
 *
 * <p>Shape: {@code {"revision": R, "phase": "started|pending|done", "checkpoint": id|null, "report": Report|null,
 * "unsent": bool, "bucket": created|null}}; {@code bucket} is the creation time of the {@code patchbay-desired}
 * bucket the revision belongs to (a bucket deleted and made again starts its revisions at 1 again). {@code started} is written before the network-state apply begins, {@code pending} once its
 * checkpoint exists, {@code done} with the final report; {@code unsent} is true until that report is in the
 * {@code patchbay-reported} bucket.
 */
final class AppliedStore {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Phase of the recorded revision. */
    enum Phase {
        STARTED, PENDING, DONE
    }

    /**
     * The record.
     *
     * @param revision   last desired revision taken on, 0 when none
     * @param phase      how far it got
     * @param checkpoint its checkpoint id, or null
     * @param report     its final report (phase DONE), or null
     * @param unsent     whether {@code report} still has to be written to NATS
     * @param bucket     creation time of the desired bucket of {@code revision} (ISO-8601), or null when unknown
     */
    record Record(long revision, Phase phase, String checkpoint, Report report, boolean unsent, String bucket) {
        static final Record NONE = new Record(0, Phase.DONE, null, null, false, null);

        /** @return this record with {@code unsent} false */
        Record sent() {
            return new Record(revision, phase, checkpoint, report, false, bucket);
        }
    }

    private final Path file;

    AppliedStore(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * @return the record, or {@link Record#NONE} when the file does not exist
     * @throws UncheckedIOException when the file exists but cannot be read or parsed (the agent then refuses to
     *                              apply anything rather than risk a second apply)
     */
    Record load() {
        if (!Files.exists(file)) {
            return Record.NONE;
        }
        try {
            JsonNode n = MAPPER.readTree(Files.readAllBytes(file));
            Report r = n.hasNonNull("report") ? ReportJson.read(MAPPER.writeValueAsBytes(n.get("report"))) : null;
            return new Record(n.path("revision").asLong(0), Phase.valueOf(n.path("phase").asText("DONE")),
                    n.hasNonNull("checkpoint") ? n.get("checkpoint").asText() : null, r, n.path("unsent").asBoolean(),
                    n.hasNonNull("bucket") ? n.get("bucket").asText() : null);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("fleet state file " + file + " is unreadable: " + e, e));
        }
    }

    /**
     * Writes the record durably.
     *
     * @param r the record
     * @throws UncheckedIOException when it cannot be written
     */
    void save(Record r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("revision", r.revision());
        n.put("phase", r.phase().name());
        n.put("checkpoint", r.checkpoint());
        try {
            n.set("report", r.report() == null ? null : MAPPER.readTree(ReportJson.write(r.report())));
            n.put("unsent", r.unsent());
            n.put("bucket", r.bucket());
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(MAPPER.writeValueAsBytes(n)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // directories cannot be opened for fsync on every file system; the rename is atomic anyway
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write fleet state file " + file, e);
        }
    }
}
