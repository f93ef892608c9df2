package dev.ovs.ovsdb.vswitch;

import dev.ovs.base.ErrorKind;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.TransactResult;

/**
 * A change was committed to the Open_vSwitch database, but the {@link VSwitch} gave up waiting for ovs-vswitchd
 * to apply it: {@code Open_vSwitch.cur_cfg} did not reach the transaction's {@code next_cfg}
 * (ovs-vswitchd.conf.db(5), Open_vSwitch table, columns {@code next_cfg} and {@code cur_cfg}) within the wait's
 * limit ({@link #kind()} {@link ErrorKind#Timeout}), or the waiting thread was interrupted ({@link ErrorKind#Failed};
 * its interrupt flag is set again). The database keeps the change in both cases, and ovs-vswitchd applies it when
 * it catches up; a caller that must not keep it undoes it with a transaction of its own, using the committed
 * result ({@link #committed()}: e.g. the UUIDs of inserted rows).
 * <p>
 * Every mutating {@link VSwitch} method and {@link VSwitch#commit(dev.ovs.ovsdb.TransactionBuilder)} throw it.
 * Error string {@code "timed out"} or {@code "interrupted"}; the message names {@code next_cfg} and the limit.
 */
public class NotAppliedException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    private final transient TransactResult committed;
    private final long nextCfg;

    /**
     * @param kind      {@link ErrorKind#Timeout} (the limit passed) or {@link ErrorKind#Failed} (interrupted)
     * @param error     short code: {@code "timed out"} or {@code "interrupted"}
     * @param details   what was waited for and for how long
     * @param committed the result of the committed transaction
     * @param nextCfg   the {@code next_cfg} value the transaction set, which {@code cur_cfg} did not reach
     * @throws NullPointerException if {@code kind} is null
     */
    public NotAppliedException(ErrorKind kind, String error, String details, TransactResult committed, long nextCfg) {
        super(kind, error, details);
        this.committed = committed;
        this.nextCfg = nextCfg;
    }

    /**
     * @return the result of the committed transaction (every operation succeeded), the caller's operations at
     *         their own indices; null only after deserialization
     */
    public TransactResult committed() {
        return committed;
    }

    /** @return the {@code Open_vSwitch.next_cfg} value the transaction set (ovs-vswitchd.conf.db(5)) */
    public long nextCfg() {
        return nextCfg;
    }
}
