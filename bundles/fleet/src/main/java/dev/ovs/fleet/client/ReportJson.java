package dev.ovs.fleet.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.ReportStatus;
import java.io.IOException;

/**
 * The pinned JSON form of a {@link Report} (DESIGN.md, "Fleet (NATS)"): {@code {"revision": long, "status":
 * "applied|rolled-back|failed|pending", "checkpoint": string|null, "error": string|null, "ts": ms}}. Thread-safe.
 */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ReportJson() {
    }

    /**
     * @param r a report
     * @return its JSON text as UTF-8 bytes, keys in the pinned order
     */
    public static byte[] write(Report r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("revision", r.revision());
        n.put("status", r.status().wire());
        n.put("checkpoint", r.checkpoint());
        n.put("error", r.error());
        n.put("ts", r.timestamp());
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("report: cannot serialise", e);
        }
    }

    /**
     * @param json UTF-8 JSON text
     * @return the report
     * @throws InvalidArgumentException naming {@code report} (not JSON, not an object) or the field ({@code
     *                                  revision}, {@code status}) that is missing or wrong
     */
    public static Report read(byte[] json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new InvalidArgumentException("report", "not JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new InvalidArgumentException("report", "must be a JSON object");
        }
        JsonNode rev = n.get("revision");
        if (rev == null || !rev.canConvertToLong()) {
            throw new InvalidArgumentException("revision", "must be an integer");
        }
        JsonNode st = n.get("status");
        if (st == null || !st.isTextual()) {
            throw new InvalidArgumentException("status", "must be a string");
        }
        return new Report(rev.asLong(), ReportStatus.fromWire(st.asText()), text(n, "checkpoint"), text(n, "error"),
                n.path("ts").asLong(0));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
