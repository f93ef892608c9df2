package dev.ovs.portagent.internal;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Test hook: halts the JVM ({@link Runtime#halt(int)}, no shutdown hooks, no outcome written to the ledger) when
 * the port agent reaches a named step of add-port or del-port, so that an end-to-end test can check what a crash
 * at that instant leaves behind and what reconcile makes of it. It is armed only by the system property
 * {@value #PROPERTY} (a comma-separated list of step names, e.g. {@code -Dpatchbay.test.halt.portagent=host-up};
 * {@code bin/patchbay} passes it in {@code PATCHBAY_JAVA_OPTS}); without it the agent uses
 * {@link PortAgentImpl.Faults#NONE} and the steps cost one call of an empty method.
 *
 * <p>Steps of add-port, in order: {@code bridge} (before a missing bridge is created), {@code veth} (before the veth
 * pair is created), {@code rename} (the pair exists, host end still {@code <id>_p}), {@code ovsdb} (host end
 * renamed to {@code <id>_l} with the alias; before the OVSDB Port row is inserted), then, while that insert runs
 * on a worker, the container's end: {@code container-up}, {@code address}, {@code route}; {@code host-up} (the row
 * is committed, marked in progress; host end still down), {@code complete} (host end up; before the in-progress
 * marks are cleared), {@code added} (everything done; before the ledger outcome). Steps of del-port (per port):
 * {@code remove-ovsdb} (before the Port row is deleted), {@code remove-link} (row deleted; before the host veth
 * is deleted), {@code removed} (veth deleted; before the ledger outcome). A batch ({@link PortBatch}) also passes
 * {@code vswitchd} (its transaction committed; before the wait for ovs-vswitchd is judged).
 *
 * <p>Before halting it prints {@code patchbay.test.halt.portagent: halting at STEP} to standard error. The exit
 * status is {@value #STATUS}.
 */
public final class FaultPoints implements PortAgentImpl.Faults {
    /** The system property that arms the hook. */
    public static final String PROPERTY = "patchbay.test.halt.portagent";
    /** Exit status of the halted JVM. */
    public static final int STATUS = 86;
    /** Steps of add-port, in the order they are reached. */
    public static final List<String> ADD_STEPS = List.of("bridge", "veth", "rename", "ovsdb", "container-up",
            "address", "route", "host-up", "complete", "added");
    /** Steps of del-port, in the order they are reached. */
    public static final List<String> REMOVE_STEPS = List.of("remove-ovsdb", "remove-link", "removed");
    private static final Set<String> KNOWN;

    static {
        Set<String> k = new LinkedHashSet<>(ADD_STEPS);
        k.addAll(REMOVE_STEPS);
        k.add("vswitchd");
        KNOWN = Set.copyOf(k);
    }

    private final Set<String> steps;

    private FaultPoints(Set<String> steps) {
        this.steps = steps;
    }

    /**
     * @param value the property's value: step names separated by commas, or null/blank
     * @return {@link PortAgentImpl.Faults#NONE} for null or blank, else a hook halting at those steps
     * @throws IllegalArgumentException naming the property and the unknown step
     */
    static PortAgentImpl.Faults of(String value) {
        if (value == null || value.isBlank()) {
            return PortAgentImpl.Faults.NONE;
        }
        Set<String> s = new LinkedHashSet<>();
        for (String step : value.split(",")) {
            String t = step.trim();
            if (!KNOWN.contains(t)) {
                throw new IllegalArgumentException(PROPERTY + ": unknown step '" + t + "' (one of "
                        + String.join(", ", ADD_STEPS) + ", " + String.join(", ", REMOVE_STEPS) + ", vswitchd)");
            }
            s.add(t);
        }
        return new FaultPoints(Set.copyOf(s));
    }

    /** @return the hook of the system property {@value #PROPERTY} ({@link #of(String)}) */
    static PortAgentImpl.Faults fromSystemProperty() {
        return of(System.getProperty(PROPERTY));
    }

    @Override
    public void before(String step) {
        if (steps.contains(step)) {
            System.err.println(PROPERTY + ": halting at " + step);
            System.err.flush();
            Runtime.getRuntime().halt(STATUS);
        }
    }
}
