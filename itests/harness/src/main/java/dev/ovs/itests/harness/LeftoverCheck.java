package dev.ovs.itests.harness;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: {@link Leftovers#snapshot()} before each test, {@link Leftovers#assertNoneSince()}
 * after it (after the test's own {@code try}-with-resources and {@code @AfterEach} methods have run).
 * Use with {@code @ExtendWith(LeftoverCheck.class)}. Resources opened in {@code @BeforeAll} are not
 * affected (they existed before the snapshot) as long as they do not start processes per test.
 */
public final class LeftoverCheck implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeftoverCheck.class);

    /** Creates the extension (JUnit instantiates it). */
    public LeftoverCheck() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("snapshot", Leftovers.snapshot());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Leftovers before = context.getStore(NS).get("snapshot", Leftovers.class);
        if (before != null) {
            before.assertNoneSince();
        }
    }
}
