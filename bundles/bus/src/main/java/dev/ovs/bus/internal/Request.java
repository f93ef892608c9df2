package dev.ovs.bus.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The fields of one request line of the socket protocol (docs/bus.md, "Line protocol"), filled either from
 * {@link RequestScanner}'s offsets (the common shape) or by {@link #parse} with Jackson's streaming parser (any
 * other line). Mutable, reused per line by one reader thread.
 */
final class Request {
    /** Marks a request field that is present but neither a string nor null (compared by identity). */
    static final String NOT_TEXT = new String("<not a string>");

    /** Field values: the string, null if absent or JSON null, {@link #NOT_TEXT} if another JSON value. */
    String op;
    String id;
    String topic;
    String type;
    String pattern;
    /** The last {@code payload} value's bytes, offsets relative to the line's start; -1 if there was none. */
    int payloadStart = -1;
    int payloadEnd = -1;

    /**
     * Reads {@code b[off, off+len)} with Jackson: the fields {@code op id topic type pattern} as strings;
     * {@code payload} read to its end by the parser (which rejects anything but one well-formed JSON value: syntax,
     * string escapes, UTF-8, nesting) and kept as a byte range; other fields skipped; a repeated field: the last one
     * counts.
     *
     * @return true if the line is a JSON object (fields set); false if it is one well-formed JSON value of another
     *         kind
     * @throws IOException malformed JSON, or more than one value on the line (Jackson's message)
     */
    boolean parse(JsonFactory factory, byte[] b, int off, int len) throws IOException {
        op = null;
        id = null;
        topic = null;
        type = null;
        pattern = null;
        payloadStart = -1;
        payloadEnd = -1;
        try (JsonParser p = factory.createParser(b, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                readValue(p);
                if (p.nextToken() != null) {
                    throw new JsonParseException(p, "trailing token after the value");
                }
                return false;
            }
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "op" -> op = text(p, t);
                    case "id" -> id = text(p, t);
                    case "topic" -> topic = text(p, t);
                    case "type" -> type = text(p, t);
                    case "pattern" -> pattern = text(p, t);
                    case "payload" -> {
                        payloadStart = (int) p.currentTokenLocation().getByteOffset();
                        readValue(p);
                        payloadEnd = (int) p.currentLocation().getByteOffset();
                    }
                    default -> readValue(p);
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new JsonParseException(p, "trailing token after the request object");
            }
        }
        return true;
    }

    /**
     * Reads the value at the current token to its end, decoding every string as a tree would: Jackson's
     * {@code skipChildren} passes over the strings inside a container without decoding them, so UTF-8 that a tree
     * refuses (an encoded surrogate) would pass, and in-process subscribers could not read the payload.
     */
    private static void readValue(JsonParser p) throws IOException {
        int depth = 0;
        JsonToken t = p.currentToken();
        while (true) {
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else {
                p.finishToken();
            }
            if (depth == 0) {
                return;
            }
            t = p.nextToken();
            if (t == null) {
                throw new JsonParseException(p, "end of input inside a value");
            }
        }
    }

    /** @return the string value, null for JSON null, {@link #NOT_TEXT} for anything else (read to its end) */
    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        readValue(p);
        return NOT_TEXT;
    }
}
