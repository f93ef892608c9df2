package dev.ovs.ovsdb;

/** Connection lifecycle callbacks of an {@link OvsdbClient}, called from the client's connection thread. */
public interface ConnectionListener {
    /** A (re)connection was established; monitors and locks of earlier connections are gone. */
    void connected();

    /**
     * @param cause why the connection went away, never null: a {@link ConnectionException} whose
     *              {@link ConnectionException#details() details()} name the remote and the reason (the server closed it,
     *              the inactivity probe, a server that stopped being the cluster leader, or the client was closed)
     */
    void disconnected(Throwable cause);
}
