package dev.ovs.ovsdb.dbus;

import dev.ovs.dbus.ErrorNamespace;
import dev.ovs.dbus.NonBlocking;
import dev.ovs.dbus.ReadOnly;
import java.util.List;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.osgi.annotation.versioning.ProviderType;

/**
 * D-Bus interface {@code org.openvswitch.ovsdb}: Open vSwitch bridges and ports (the OVSDB
 * {@code Open_vSwitch} database, ovs-vswitchd.conf.db(5)) with the semantics of the matching ovs-vsctl(8)
 * commands.
 *
 * <p>Names ({@code bridge}, {@code port}) must be valid Linux interface names ({@link dev.ovs.base.InterfaceName}:
 * net/core/dev.c {@code dev_valid_name}, 1..15 bytes of UTF-8, not {@code .} or {@code ..}, no {@code /},
 * {@code :} or whitespace). Bad input fails before any side effect with
 * {@code org.freedesktop.DBus.Error.InvalidArgs} naming the argument and the rule. Other errors are
 * {@code org.openvswitch.ovsdb.Error.<Kind>} (declared with {@link ErrorNamespace}; message
 * {@code "<member>: <details>"}): {@code NotFound}, {@code AlreadyExists}, {@code ConstraintViolation},
 * {@code ReferentialIntegrity}, {@code Timeout}, {@code Unavailable} (the OVSDB bundle or ovsdb-server is not
 * available at this moment), {@code Failed}.
 *
 * <p>Implemented by bundle {@code dev.ovs.ovsdb} on the D-Bus whiteboard of {@code dev.ovs.dbus}; a client uses
 * this interface as a typed dbus-java proxy
 * ({@code connection.getRemoteObject(OvsdbBus.BUS_NAME, OvsdbBus.OBJECT_PATH, OvsdbBus.class)}) and to
 * subscribe to its signals. Pinned in DESIGN.md ("Pinned external contracts / D-Bus").
 */
@ProviderType
@DBusInterfaceName("org.openvswitch.ovsdb")
@ErrorNamespace(OvsdbBus.ERROR_NAMESPACE)
public interface OvsdbBus extends DBusInterface {
    /** The well-known bus name: {@value}. */
    String BUS_NAME = "org.openvswitch.ovsdb";
    /** The object path: {@value}. */
    String OBJECT_PATH = "/org/openvswitch/ovsdb";
    /** The D-Bus interface name: {@value}. */
    String INTERFACE = "org.openvswitch.ovsdb";
    /** The prefix of this interface's error names: {@value}. */
    String ERROR_NAMESPACE = "org.openvswitch.ovsdb.Error";

    /**
     * {@code CreateBridge(s bridge) → ()}, like {@code ovs-vsctl add-br BRIDGE}.
     *
     * @param bridge the bridge name
     * @throws dev.ovs.dbus.DbusError {@code InvalidArgs} for a bad name; {@code AlreadyExists} if a bridge of
     *         that name exists (unlike {@code --may-exist}); {@code Unavailable}, {@code Timeout}, {@code Failed}
     */
    void CreateBridge(String bridge);

    /**
     * {@code DeleteBridge(s bridge) → ()}, like {@code ovs-vsctl del-br BRIDGE} (its ports go with it).
     *
     * @param bridge the bridge name
     * @throws dev.ovs.dbus.DbusError {@code InvalidArgs}; {@code NotFound} if there is no such bridge;
     *         {@code Unavailable}, {@code Timeout}, {@code Failed}
     */
    void DeleteBridge(String bridge);

    /**
     * {@code AddPort(s bridge, s port) → ()}, like {@code ovs-vsctl add-port BRIDGE PORT}.
     *
     * @param bridge the bridge name
     * @param port   the port (and interface) name
     * @throws dev.ovs.dbus.DbusError {@code InvalidArgs}; {@code NotFound} (no bridge); {@code AlreadyExists}
     *         (port exists); {@code Unavailable}, {@code Timeout}, {@code Failed}
     */
    void AddPort(String bridge, String port);

    /**
     * {@code DeletePort(s bridge, s port) → ()}, like {@code ovs-vsctl del-port BRIDGE PORT}.
     *
     * @param bridge the bridge name
     * @param port   the port name
     * @throws dev.ovs.dbus.DbusError {@code InvalidArgs}; {@code NotFound} (no bridge, or no such port on it);
     *         {@code Unavailable}, {@code Timeout}, {@code Failed}
     */
    void DeletePort(String bridge, String port);

    /**
     * {@code BridgeExists(s bridge) → b}, like {@code ovs-vsctl br-exists BRIDGE}.
     *
     * @param bridge the bridge name
     * @return whether the bridge exists
     * @throws dev.ovs.dbus.DbusError {@code InvalidArgs}; {@code Unavailable}, {@code Timeout}, {@code Failed}
     */
    @ReadOnly
    @NonBlocking
    boolean BridgeExists(String bridge);

    /**
     * {@code ListBridges() → as}, like {@code ovs-vsctl list-br}.
     *
     * @return bridge names, sorted
     * @throws dev.ovs.dbus.DbusError {@code Unavailable}, {@code Timeout}, {@code Failed}
     */
    @ReadOnly
    @NonBlocking
    List<String> ListBridges();

    /**
     * {@code ListBridgePorts(s bridge) → as}, like {@code ovs-vsctl list-ports BRIDGE}: port names (not
     * UUIDs), sorted, without the bridge's own local port (named like the bridge).
     *
     * @param bridge the bridge name
     * @return port names
     * @throws dev.ovs.dbus.DbusError {@code InvalidArgs}; {@code NotFound}; {@code Unavailable},
     *         {@code Timeout}, {@code Failed}
     */
    @ReadOnly
    @NonBlocking
    List<String> ListBridgePorts(String bridge);

    /**
     * {@code Transact(s json) → s}: a raw RFC 7047 §4.1.3 {@code transact} — the JSON array of params
     * ({@code ["Open_vSwitch", op...]}) in, the JSON array of results out. For power users; like every mutating
     * member open to root and group {@code patchbay} only (the shipped bus policy and Patchbay's own check). Writes
     * to what makes the switch remote-controlled (by default the tables {@code Manager}, {@code Controller},
     * {@code SSL} and the columns {@code Open_vSwitch.manager_options}, {@code Open_vSwitch.ssl},
     * {@code Bridge.controller}; configuration {@code transact.root.only} of {@code dev.ovs.ovsdb.dbus}) are for
     * root only, checked on the operations before anything is sent.
     *
     * @param json the params array, at most 1 MiB
     * @return the result array (RFC 7047 §4.1.3: one object per operation, errors inside)
     * @throws dev.ovs.dbus.DbusError {@code InvalidArgs} if not a JSON array whose first element is a database
     *         name string; {@code org.freedesktop.DBus.Error.AccessDenied} naming the operations that write a
     *         root-only table or column, for a caller other than root; {@code Unavailable}, {@code Timeout},
     *         {@code Failed}
     */
    String Transact(String json);

    /** Signal {@code BridgeAdded(s bridge)}: a bridge row appeared in OVSDB, whoever made the change. */
    class BridgeAdded extends DBusSignal {
        private final String bridge;

        /**
         * @param path   the object path of the emitter ({@link #OBJECT_PATH})
         * @param bridge the bridge name
         * @throws DBusException if the path is invalid
         */
        public BridgeAdded(String path, String bridge) throws DBusException {
            super(path, bridge);
            this.bridge = bridge;
        }

        /** @return the bridge name */
        public String getBridge() {
            return bridge;
        }
    }

    /** Signal {@code BridgeRemoved(s bridge)}: a bridge row disappeared from OVSDB. */
    class BridgeRemoved extends DBusSignal {
        private final String bridge;

        /**
         * @param path   the object path of the emitter
         * @param bridge the bridge name
         * @throws DBusException if the path is invalid
         */
        public BridgeRemoved(String path, String bridge) throws DBusException {
            super(path, bridge);
            this.bridge = bridge;
        }

        /** @return the bridge name */
        public String getBridge() {
            return bridge;
        }
    }

    /** Signal {@code PortAdded(s bridge, s port)}: a port was added to a bridge. */
    class PortAdded extends DBusSignal {
        private final String bridge;
        private final String port;

        /**
         * @param path   the object path of the emitter
         * @param bridge the bridge name
         * @param port   the port name
         * @throws DBusException if the path is invalid
         */
        public PortAdded(String path, String bridge, String port) throws DBusException {
            super(path, bridge, port);
            this.bridge = bridge;
            this.port = port;
        }

        /** @return the bridge name */
        public String getBridge() {
            return bridge;
        }

        /** @return the port name */
        public String getPort() {
            return port;
        }
    }

    /** Signal {@code PortRemoved(s bridge, s port)}: a port was removed from a bridge. */
    class PortRemoved extends DBusSignal {
        private final String bridge;
        private final String port;

        /**
         * @param path   the object path of the emitter
         * @param bridge the bridge name
         * @param port   the port name
         * @throws DBusException if the path is invalid
         */
        public PortRemoved(String path, String bridge, String port) throws DBusException {
            super(path, bridge, port);
            this.bridge = bridge;
            this.port = port;
        }

        /** @return the bridge name */
        public String getBridge() {
            return bridge;
        }

        /** @return the port name */
        public String getPort() {
            return port;
        }
    }
}
