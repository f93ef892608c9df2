package dev.ovs.netstate.internal;

import java.util.function.Consumer;

/**
 * The named steps of apply and rollback at which a test may stop the JVM (CrashIT, ContainerPortsCrashIT): apply
 * {@code journaled}, {@code before-transaction}, {@code after-transaction}, {@code ports-detached},
 * {@code ports-attached}, {@code net-written}, {@code verified}; rollback {@code rollback-journaled},
 * {@code rollback-net}, {@code ports-detached}, {@code ports-attached}, {@code rollback-ports},
 * {@code rollback-transaction}.
 */
final class FaultPoints {
    /** Called with each step's name (null: none). */
    private volatile Consumer<String> hook;

    /** @param hook called with the name of each step of apply and rollback (tests); null: none */
    void hook(Consumer<String> hook) {
        this.hook = hook;
    }

    /** @param step the step reached */
    void hit(String step) {
        Consumer<String> h = hook;
        if (h != null) {
            h.accept(step);
        }
    }
}
