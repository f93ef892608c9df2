package dev.ovs.networkd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A change of a link's state, from networkd's {@code PropertiesChanged} signal on a link object. Published
 * on the bus as topic {@code network.link.<name>.state} (name percent-encoded by {@code Topics.of}), type
 * {@code state}, with payload {@link #toPayload()}:
 * <pre>{"link":"br0","index":3,"old":{"OperationalState":"off",...},"new":{"OperationalState":"routable",...},
 *  "changed":["OperationalState",...]}</pre>
 * {@code old} holds what was known before the signal (nulls if nothing was known yet).
 *
 * @param name    interface name
 * @param index   ifindex
 * @param before  the state before
 * @param after   the state after
 * @param changed names of the properties the signal carried
 */
public record LinkStateChange(String name, int index, LinkState before, LinkState after,
        java.util.List<String> changed) {
    /** Topic type of the bus event: {@value}. */
    public static final String TYPE = "state";

    /** @return the bus payload (JSON object content) */
    public Map<String, Object> toPayload() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("link", name);
        m.put("index", index);
        m.put("old", before.toMap());
        m.put("new", after.toMap());
        m.put("changed", changed);
        return m;
    }
}
