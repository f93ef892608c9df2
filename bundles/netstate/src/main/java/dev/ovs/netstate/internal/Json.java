package dev.ovs.netstate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.netstate.Change;
import dev.ovs.netstate.Checkpoint;
import java.util.List;

/** The JSON shapes of changes and checkpoints, shared by the D-Bus face, the shell and the bus events. */
public final class Json {
    private static final ObjectMapper M = new ObjectMapper();

    private Json() {
    }

    /**
     * @param c a checkpoint
     * @return {@code {"id","state","created","deadline","reason","changes","sha256","caller"}}, times in µs
     *         since the epoch, reason null unless rolled back
     */
    public static ObjectNode checkpoint(Checkpoint c) {
        ObjectNode o = M.createObjectNode();
        o.put("id", c.id());
        o.put("state", c.state().wire());
        o.put("created", c.createdMicros());
        o.put("deadline", c.deadlineMicros());
        o.put("reason", c.reason());
        o.put("changes", c.changes());
        o.put("sha256", c.documentSha256());
        o.put("caller", c.caller());
        return o;
    }

    /**
     * @param cs checkpoints
     * @return JSON array text
     */
    public static String checkpoints(List<Checkpoint> cs) {
        ArrayNode a = M.createArrayNode();
        cs.forEach(c -> a.add(checkpoint(c)));
        return write(a);
    }

    /**
     * @param changes changes
     * @return JSON array of {@code {"op","kind","name","field","from","to","path"}}
     */
    public static String changes(List<Change> changes) {
        ArrayNode a = M.createArrayNode();
        for (Change c : changes) {
            ObjectNode o = a.addObject();
            o.put("op", c.op());
            o.put("kind", c.kind());
            o.put("name", c.name());
            o.put("field", c.field());
            o.set("from", M.valueToTree(c.from()));
            o.set("to", M.valueToTree(c.to()));
            o.put("path", c.path());
        }
        return write(a);
    }

    private static String write(Object o) {
        try {
            return M.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
