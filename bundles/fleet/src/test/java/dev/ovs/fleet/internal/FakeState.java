package dev.ovs.fleet.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * In-memory {@link StateService} for unit tests: records every apply (document and caller), hands out checkpoint
 * ids {@code cp-N}, tracks their states, and lets a test decide per document what apply does ({@link #behaviour}).
 */
class FakeState implements StateService {
    /** What one apply does: return normally (a pending checkpoint) or throw. */
    volatile Function<String, RuntimeException> behaviour = doc -> null;
    /** Runs inside apply before the behaviour, e.g. to block on a latch. */
    volatile java.util.function.Consumer<String> during = doc -> {
    };
    final List<String> applied = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> callers = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> checkpoints = new ConcurrentHashMap<>();
    final List<String> commits = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> rollbacks = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger ids = new AtomicInteger();
    volatile String shown = "interfaces: []\n";

    @Override
    public String show() {
        return shown;
    }

    @Override
    public String apply(String document, int confirmSeconds, String caller) {
        applied.add(document);
        callers.add(caller);
        during.accept(document);
        RuntimeException e = behaviour.apply(document);
        if (e != null) {
            throw e;
        }
        String id = "cp-" + ids.incrementAndGet();
        checkpoints.put(id, "pending");
        return id;
    }

    @Override
    public void commit(String checkpoint) {
        commits.add(checkpoint);
        checkpoints.put(checkpoint, "committed");
    }

    @Override
    public void rollback(String checkpoint) {
        rollbacks.add(checkpoint);
        checkpoints.put(checkpoint, "rolled-back");
    }

    @Override
    public String checkpointState(String checkpoint) {
        return checkpoints.get(checkpoint);
    }

    List<String> appliedSnapshot() {
        synchronized (applied) {
            return new ArrayList<>(applied);
        }
    }
}
