package dev.ovs.dbus.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.dbus.DbusError;
import dev.ovs.dbus.DbusErrors;
import dev.ovs.dbus.ovsdb.OvsdbBus;
import dev.ovs.ovsdb.OvsdbException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The {@code org.openvswitch.ovsdb} object: validates every argument, then delegates to the current
 * {@link SwitchOps} (none → {@code Unavailable}) and maps its errors to the pinned D-Bus error names.
 */
class OvsdbObject implements OvsdbBus {
    /** Largest accepted {@code Transact} argument, in UTF-16 chars: 1 MiB. */
    static final int MAX_TRANSACT_CHARS = 1 << 20;
    private static final System.Logger LOG = System.getLogger(OvsdbObject.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<SwitchOps> ops;

    /** @param ops the current backend, or a supplier returning null while there is none (null: override {@link #current()}) */
    OvsdbObject(Supplier<SwitchOps> ops) {
        this.ops = ops;
    }

    /** @return the backend now, or null if none */
    SwitchOps current() {
        return ops == null ? null : ops.get();
    }

    private SwitchOps ops() {
        SwitchOps o = current();
        if (o == null) {
            throw DbusErrors.ovsdb(DbusErrors.Kind.Unavailable,
                    "the OVSDB service (bundle dev.ovs.ovsdb, VSwitch) is not available right now; retry");
        }
        return o;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(SwitchOps o);
    }

    private <T> T call(String member, Call<T> c) {
        SwitchOps o = ops();
        try {
            return c.run(o);
        } catch (RuntimeException e) {
            throw map(member, e);
        }
    }

    /** Maps a backend failure to a D-Bus error of the pinned names. */
    static DbusError map(String member, Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof DbusError) {
            return (DbusError) t;
        }
        if (t instanceof OvsdbException) {
            OvsdbException oe = (OvsdbException) t;
            return DbusErrors.ovsdb(DbusErrors.Kind.of(oe.kind().name()), member + ": " + oe.getMessage());
        }
        if (t instanceof IllegalArgumentException) {
            String m = String.valueOf(t.getMessage());
            int colon = m.indexOf(':');
            return colon > 0 && colon < 40 ? DbusErrors.invalidArgs(m.substring(0, colon), m.substring(colon + 1).trim())
                    : DbusErrors.invalidArgs("arguments", m);
        }
        LOG.log(Level.WARNING, "dev.ovs.dbus: " + member + " failed", t);
        return DbusErrors.ovsdb(DbusErrors.Kind.Failed, member + ": " + t);
    }

    @Override
    public void CreateBridge(String bridge) {
        Names.ifName("bridge", bridge);
        call("CreateBridge", o -> {
            o.createBridge(bridge);
            return null;
        });
    }

    @Override
    public void DeleteBridge(String bridge) {
        Names.ifName("bridge", bridge);
        call("DeleteBridge", o -> {
            o.deleteBridge(bridge);
            return null;
        });
    }

    @Override
    public void AddPort(String bridge, String port) {
        Names.ifName("bridge", bridge);
        Names.ifName("port", port);
        call("AddPort", o -> {
            o.addPort(bridge, port);
            return null;
        });
    }

    @Override
    public void DeletePort(String bridge, String port) {
        Names.ifName("bridge", bridge);
        Names.ifName("port", port);
        call("DeletePort", o -> {
            o.deletePort(bridge, port);
            return null;
        });
    }

    @Override
    public boolean BridgeExists(String bridge) {
        Names.ifName("bridge", bridge);
        return call("BridgeExists", o -> o.bridgeExists(bridge));
    }

    @Override
    public List<String> ListBridges() {
        return call("ListBridges", SwitchOps::listBridges);
    }

    @Override
    public List<String> ListBridgePorts(String bridge) {
        Names.ifName("bridge", bridge);
        return call("ListBridgePorts", o -> o.listBridgePorts(bridge));
    }

    @Override
    public String Transact(String json) {
        checkTransact(json);
        return call("Transact", o -> o.transact(json));
    }

    /**
     * RFC 7047 §4.1.3: params is a JSON array whose first element is the database name (a string) and whose
     * other elements are operation objects with a string {@code "op"} member (§5.2).
     */
    static void checkTransact(String json) {
        if (json == null || json.isBlank()) {
            throw DbusErrors.invalidArgs("json", "must not be empty (RFC 7047 transact params array)");
        }
        if (json.length() > MAX_TRANSACT_CHARS) {
            throw DbusErrors.invalidArgs("json", "must be at most " + MAX_TRANSACT_CHARS + " characters");
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw DbusErrors.invalidArgs("json", "is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isArray() || n.size() == 0 || !n.get(0).isTextual()) {
            throw DbusErrors.invalidArgs("json", "must be a JSON array whose first element is the database name "
                    + "(RFC 7047 4.1.3), e.g. [\"Open_vSwitch\", {\"op\": \"select\", ...}]");
        }
        for (int i = 1; i < n.size(); i++) {
            JsonNode op = n.get(i);
            if (!op.isObject() || !op.path("op").isTextual()) {
                throw DbusErrors.invalidArgs("json", "element " + i + " must be an operation object with a string "
                        + "\"op\" member (RFC 7047 5.2)");
            }
        }
    }

    @Override
    public String getObjectPath() {
        return OBJECT_PATH;
    }
}
