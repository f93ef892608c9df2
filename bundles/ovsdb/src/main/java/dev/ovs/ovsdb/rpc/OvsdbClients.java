package dev.ovs.ovsdb.rpc;

import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;

/**
 * Makes {@link OvsdbClient}s outside an OSGi framework (tests, tools, benchmarks) from the implementation
 * bundle's jar on the class path. This package is private to bundle {@code dev.ovs.ovsdb}: inside a framework
 * use the {@code OvsdbClient} service.
 */
public final class OvsdbClients {
    private OvsdbClients() {
    }

    /**
     * Creates a client and starts connecting in the background (use
     * {@link OvsdbClient#awaitConnected(java.time.Duration)}).
     *
     * @param options remote, probe interval, request timeout, message limit, reconnect backoff
     * @return the client; the caller closes it
     * @throws NullPointerException if {@code options} is null
     */
    public static OvsdbClient connect(ClientOptions options) {
        return new OvsdbClientImpl(java.util.Objects.requireNonNull(options, "options"));
    }
}
