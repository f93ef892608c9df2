package dev.ovs.netstate.internal.dbus;

import dev.ovs.dbus.ErrorNamespace;
import dev.ovs.dbus.ReadOnly;
import dev.ovs.dbus.RecordedByService;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.UInt64;

/**
 * D-Bus interface {@code dev.ovs.NetState1} at {@value #OBJECT_PATH} (bus name {@value #BUS_NAME}), pinned in
 * DESIGN.md ("Network state"); see {@link dev.ovs.netstate.NetState} for the semantics. Show, Diff and
 * ListCheckpoints are {@link ReadOnly} (the authorization policy lets everyone call them); Apply, Commit and Rollback are
 * {@link RecordedByService}: the network-state service writes their ledger intent and outcome (caller, checkpoint id,
 * document SHA-256), the exporter does not write a second record. Errors:
 * {@code org.freedesktop.DBus.Error.InvalidArgs} with message {@code <document path>: <rule>}, and
 * {@code dev.ovs.NetState1.Error.<Kind>} (CheckpointPending, NotFound, Conflict, Timeout, Failed).
 */
@DBusInterfaceName("dev.ovs.NetState1")
@ErrorNamespace("dev.ovs.NetState1.Error")
public interface NetState1 extends DBusInterface {
    /** Well-known bus name. */
    String BUS_NAME = "dev.ovs.NetState1";
    /** Object path. */
    String OBJECT_PATH = "/dev/ovs/NetState1";

    /** @return {@code → s}: the current state as a YAML document */
    @ReadOnly
    String Show();

    /**
     * {@code s → s}: the changes Apply would make, nothing changed.
     *
     * @param document YAML document
     * @return JSON list of {@code {"op","kind","name","field","from","to","path"}} objects
     */
    @ReadOnly
    String Diff(String document);

    /**
     * {@code su → s}: applies a document atomically.
     *
     * @param document       YAML document
     * @param confirmSeconds 0: committed at once; else pending and rolled back after this many seconds (at most 86400)
     * @return the checkpoint id
     */
    @RecordedByService
    String Apply(String document, UInt32 confirmSeconds);

    /**
     * {@code s → ()}: commits a pending checkpoint.
     *
     * @param id checkpoint id; empty: the pending one
     */
    @RecordedByService
    void Commit(String id);

    /**
     * {@code s → ()}: rolls a pending checkpoint back now.
     *
     * @param id checkpoint id; empty: the pending one
     */
    @RecordedByService
    void Rollback(String id);

    /**
     * @return {@code → s}: JSON list of {@code {"id","state","created","deadline","reason","changes","sha256","caller"}},
     *         state {@code pending|committed|rolled-back}, times in µs since the epoch (deadline 0: none)
     */
    @ReadOnly
    String ListCheckpoints();

    /** Signal {@code CheckpointCreated(st)}: id, deadline in µs since the epoch (0: committed at once). */
    class CheckpointCreated extends DBusSignal {
        private final String id;
        private final UInt64 deadline;

        /**
         * @param path     object path
         * @param id       checkpoint id
         * @param deadline µs since the epoch, 0 for none
         * @throws DBusException if the signal cannot be built
         */
        public CheckpointCreated(String path, String id, UInt64 deadline) throws DBusException {
            super(path, id, deadline);
            this.id = id;
            this.deadline = deadline;
        }

        /** @return checkpoint id */
        public String getId() {
            return id;
        }

        /** @return deadline, µs since the epoch */
        public UInt64 getDeadline() {
            return deadline;
        }
    }

    /** Signal {@code CheckpointCommitted(s)}: id. */
    class CheckpointCommitted extends DBusSignal {
        private final String id;

        /**
         * @param path object path
         * @param id   checkpoint id
         * @throws DBusException if the signal cannot be built
         */
        public CheckpointCommitted(String path, String id) throws DBusException {
            super(path, id);
            this.id = id;
        }

        /** @return checkpoint id */
        public String getId() {
            return id;
        }
    }

    /** Signal {@code CheckpointRolledBack(ss)}: id, reason. */
    class CheckpointRolledBack extends DBusSignal {
        private final String id;
        private final String reason;

        /**
         * @param path   object path
         * @param id     checkpoint id
         * @param reason why
         * @throws DBusException if the signal cannot be built
         */
        public CheckpointRolledBack(String path, String id, String reason) throws DBusException {
            super(path, id, reason);
            this.id = id;
            this.reason = reason;
        }

        /** @return checkpoint id */
        public String getId() {
            return id;
        }

        /** @return why it was rolled back */
        public String getReason() {
            return reason;
        }
    }
}
