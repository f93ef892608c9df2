package dev.ovs.fleet;

import dev.ovs.base.InvalidArgumentException;

/**
 * The pinned NATS names of the fleet (DESIGN.md, "Fleet (NATS)"): subjects, JetStream key-value buckets and the
 * host id rule. All methods are static, thread-safe and side-effect free.
 *
 * <p>A <b>host id</b> is 1..{@value #HOST_ID_MAX} characters from {@code [A-Za-z0-9_-]}: one NATS subject token
 * (https://docs.nats.io/nats-concepts/subjects: no {@code '.'}, {@code '*'}, {@code '>'} or whitespace) that is
 * also a valid JetStream KV key. The default host id, the machine id ({@code /etc/machine-id}, machine-id(5):
 * 32 lower-case hex digits), follows the rule; a DNS name with dots does not.
 */
public final class Subjects {
    /** Subject prefix of everything a host publishes or answers: {@value}. */
    public static final String PREFIX = "patchbay";
    /** JetStream KV bucket of desired state documents, key = host id, value = a state document: {@value}. */
    public static final String DESIRED_BUCKET = "patchbay-desired";
    /** JetStream KV bucket of reports, key = host id, value = {@link Report} JSON: {@value}. */
    public static final String REPORTED_BUCKET = "patchbay-reported";
    /** Longest host id, characters: {@value}. */
    public static final int HOST_ID_MAX = 128;

    private Subjects() {
    }

    /**
     * @param hostId a candidate host id, may be null
     * @return the broken rule, or null when {@code hostId} is valid
     */
    public static String hostIdViolation(String hostId) {
        if (hostId == null || hostId.isEmpty()) {
            return "must not be empty";
        }
        if (hostId.length() > HOST_ID_MAX) {
            return "must be at most " + HOST_ID_MAX + " characters, got " + hostId.length();
        }
        for (int i = 0; i < hostId.length(); i++) {
            char c = hostId.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
            if (!ok) {
                return "must contain only A-Z, a-z, 0-9, '-' and '_' (one NATS subject token and KV key), got '"
                        + hostId + "'";
            }
        }
        return null;
    }

    /**
     * Checks a host id before any side effect.
     *
     * @param argument the argument or configuration key to name in the error, e.g. {@code host.id}
     * @param hostId   the candidate
     * @return {@code hostId}
     * @throws InvalidArgumentException naming {@code argument} and the rule when the host id is invalid
     */
    public static String checkHostId(String argument, String hostId) {
        String v = hostIdViolation(hostId);
        if (v != null) {
            throw new InvalidArgumentException(argument, v);
        }
        return hostId;
    }

    /**
     * The subject a local bus event is published on.
     *
     * @param hostId a valid host id
     * @param topic  a valid bus topic (dev.ovs.bus.Topics rules: NATS subject tokens, names percent-encoded),
     *               e.g. {@code ovsdb.bridge.br0.added}
     * @return {@code patchbay.<hostId>.<topic>}
     */
    public static String event(String hostId, String topic) {
        return PREFIX + "." + hostId + "." + topic;
    }

    /**
     * The subject a host's events arrive on, for a subscriber on the hub.
     *
     * @param hostId a valid host id, or {@code "*"} for every host
     * @return {@code patchbay.<hostId>.>}
     */
    public static String events(String hostId) {
        return PREFIX + "." + hostId + ".>";
    }

    /**
     * Request/reply subject answered with the host's current state document (the network-state service's
     * {@code Show}, YAML text).
     *
     * @param hostId a valid host id
     * @return {@code patchbay.<hostId>.state.show}
     */
    public static String stateShow(String hostId) {
        return PREFIX + "." + hostId + ".state.show";
    }

    /**
     * Request/reply subject answered with the host's health as JSON ({@code docs/fleet.md}, "Request/reply").
     *
     * @param hostId a valid host id
     * @return {@code patchbay.<hostId>.health}
     */
    public static String health(String hostId) {
        return PREFIX + "." + hostId + ".health";
    }
}
