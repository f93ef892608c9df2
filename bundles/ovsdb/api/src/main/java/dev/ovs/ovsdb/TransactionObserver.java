package dev.ovs.ovsdb;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Observation hook of the OVSDB client service (whiteboard pattern: register an OSGi service of this type), e.g.
 * for metrics. The {@link OvsdbClient} service of bundle {@code dev.ovs.ovsdb} calls every registered observer once
 * per {@code transact} request (RFC 7047 §4.1.3) when its reply arrived or the request failed.
 *
 * <p>Threading: called on the client's connection reader thread (or the thread that found the request failed),
 * so an implementation must return at once (no I/O, no OVSDB request of its own). An observer that throws is
 * logged and changes nothing.
 *
 * @since dev.ovs.ovsdb 2.2.0
 */
@ConsumerType
public interface TransactionObserver {
    /** {@code outcome} of a transaction whose every operation succeeded: {@value}. */
    String COMMITTED = "committed";
    /**
     * {@code outcome} of a transaction that the server answered with an error in its result array (an operation
     * failed, RFC 7047 §4.1.3, so none took effect; or a {@code commit} failed): {@value}.
     */
    String ABORTED = "aborted";
    /** {@code outcome} of a request without a result: timeout, lost connection, JSON-RPC error: {@value}. */
    String FAILED = "failed";

    /**
     * @param database the database named by the transaction (its params' first element)
     * @param outcome  {@link #COMMITTED}, {@link #ABORTED} or {@link #FAILED}
     * @param nanos    time from sending the request until the reply or failure, ns (&gt;= 0)
     */
    void transacted(String database, String outcome, long nanos);
}
