package dev.ovs.ovsdb;

/** Connection lifecycle callbacks of an {@link OvsdbClient}, called from the client's connection thread. */
public interface ConnectionListener {
    /** A (re)connection was established; monitors and locks of earlier connections are gone. */
    void connected();

    /** @param cause why the connection went away (never null) */
    void disconnected(Throwable cause);
}
