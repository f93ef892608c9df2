package dev.ovs.portagent.dbus;

import dev.ovs.dbus.ErrorNamespace;
import dev.ovs.dbus.ReadOnly;
import dev.ovs.dbus.RecordedByService;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.Variant;
import org.osgi.annotation.versioning.ProviderType;

/**
 * D-Bus interface {@code dev.ovs.PortAgent1} at {@value #OBJECT_PATH} (bus name {@value #BUS_NAME}):
 * ovs-docker's operations (see {@link dev.ovs.portagent.PortAgent}). Errors:
 * {@code org.freedesktop.DBus.Error.InvalidArgs} for bad input and unknown containers,
 * {@code dev.ovs.PortAgent1.Error.<Kind>} (NotFound, AlreadyExists, ConstraintViolation, Timeout,
 * Unavailable, Failed; declared with {@link ErrorNamespace}; message {@code "<member>: <details>"}) otherwise.
 * Implemented by bundle {@code dev.ovs.portagent} on the D-Bus whiteboard of {@code dev.ovs.dbus}, which maps
 * the port agent's exceptions to these errors.
 *
 * <p>Who may call what: the {@link ReadOnly} members everybody; the others root and group {@code patchbay}
 * (the shipped bus policy and Patchbay's own check). A container given as {@code pid:N} or {@code netns:NAME}
 * (any process's or any named network namespace, not a container of the container runtime) is for root (uid 0)
 * only: anyone else gets {@code org.freedesktop.DBus.Error.AccessDenied} before anything is done. Every call of a
 * mutating member that the port agent is asked is recorded in the ledger once, by the port agent
 * ({@link RecordedByService}): its intent before (caller {@code dbus:<sender> uid=<uid> pid=<pid>}, operation
 * {@code add-port}, {@code del-port}, {@code del-ports} or {@code set-vlan}, the arguments by name), its outcome
 * after ({@code ok: <host port(s)>} or {@code error: <message>}).
 */
@ProviderType
@DBusInterfaceName("dev.ovs.PortAgent1")
@ErrorNamespace(PortAgent1.ERROR_NAMESPACE)
public interface PortAgent1 extends DBusInterface {
    /** Well-known bus name. */
    String BUS_NAME = "dev.ovs.PortAgent1";
    /** Object path. */
    String OBJECT_PATH = "/dev/ovs/PortAgent1";
    /** The prefix of this interface's error names: {@value}. */
    String ERROR_NAMESPACE = "dev.ovs.PortAgent1.Error";

    /** @return {@code → as}: host port names of all container ports, sorted */
    @ReadOnly
    List<String> ListPorts();

    /**
     * {@code sssa{sv} → s}: ovs-docker add-port.
     *
     * @param bridge    bridge
     * @param iface     interface name in the container
     * @param container container ID/name, {@code pid:N} or {@code netns:NAME}
     * @param options   {@code ipaddress} (s), {@code macaddress} (s), {@code gateway} (s), {@code mtu}
     *                  (any integer type), {@code vlan} (any integer type)
     * @return the host port name
     */
    @RecordedByService
    String CreateContainerInterface(String bridge, String iface, String container, Map<String, Variant<?>> options);

    /**
     * {@code sss → ()}: ovs-docker del-port.
     *
     * @param bridge    bridge
     * @param iface     interface in the container
     * @param container container reference
     */
    @RecordedByService
    void RemoveContainerInterface(String bridge, String iface, String container);

    /**
     * {@code ss → ()}: ovs-docker del-ports.
     *
     * @param bridge    bridge
     * @param container container reference
     */
    @RecordedByService
    void RemoveContainerInterfaces(String bridge, String container);

    /**
     * {@code sssq → ()}: ovs-docker set-vlan.
     *
     * @param bridge    bridge
     * @param iface     interface in the container
     * @param container container reference
     * @param tag       VLAN 0..4095
     */
    @RecordedByService
    void SetContainerVlan(String bridge, String iface, String container, UInt16 tag);

    /**
     * {@code → s}: statistics of the appliance's ledger (every change made through Patchbay, one keyed hash chain),
     * verified again first if the file changed since its last verification (size, modification time, inode).
     *
     * @return JSON {@code {"height","head_hash","verified","first_time","last_time","problem","path"}}
     */
    @ReadOnly
    String GetBlockchainStats();

    /**
     * {@code → s}: re-reads and verifies the whole ledger now (every line's HMAC and back-link).
     *
     * @return the statistics after verification, the same JSON as {@link #GetBlockchainStats()}
     */
    @ReadOnly
    String VerifyLedger();

    /** Signal {@code PortCreated(sss)}: container, interface, port. */
    class PortCreated extends DBusSignal {
        private final String container;
        private final String iface;
        private final String port;

        /**
         * @param path      object path
         * @param container container reference
         * @param iface     interface
         * @param port      host port
         * @throws DBusException if the signal cannot be built
         */
        public PortCreated(String path, String container, String iface, String port) throws DBusException {
            super(path, container, iface, port);
            this.container = container;
            this.iface = iface;
            this.port = port;
        }

        /** @return container reference */
        public String getContainer() {
            return container;
        }

        /** @return interface */
        public String getIface() {
            return iface;
        }

        /** @return host port */
        public String getPort() {
            return port;
        }
    }

    /** Signal {@code PortRemoved(sss)}: container, interface, port. */
    class PortRemoved extends DBusSignal {
        private final String container;
        private final String iface;
        private final String port;

        /**
         * @param path      object path
         * @param container container reference
         * @param iface     interface
         * @param port      host port
         * @throws DBusException if the signal cannot be built
         */
        public PortRemoved(String path, String container, String iface, String port) throws DBusException {
            super(path, container, iface, port);
            this.container = container;
            this.iface = iface;
            this.port = port;
        }

        /** @return container reference */
        public String getContainer() {
            return container;
        }

        /** @return interface */
        public String getIface() {
            return iface;
        }

        /** @return host port */
        public String getPort() {
            return port;
        }
    }
}
