package dev.ovs.portagent;

import java.util.List;

/**
 * ovs-docker-compatible container ports as an OSGi service (behaviour of {@code /usr/bin/ovs-docker},
 * Open vSwitch utilities): a veth pair {@code <13 hex>_l} (host side, port on the bridge) /
 * container side (named {@code INTERFACE} in the container's network namespace), Interface
 * {@code external_ids:container_id=<CONTAINER>} and {@code container_iface=<INTERFACE>}.
 *
 * <p>Errors: {@link IllegalArgumentException} for bad input and unknown containers (before any side
 * effect; the message starts with the field name); {@link PortAgentException} otherwise. Every
 * mutating call is appended to the ledger with {@code caller}, its arguments and its result.
 */
public interface PortAgent {
    /**
     * ovs-docker add-port: creates the bridge if missing, the veth pair (peer created directly inside
     * the container's namespace under its final name, with MTU and MAC), the OVS port with the
     * external ids (and tag), sets both ends up, adds the address and default route. Every step is
     * undone if a later one fails.
     *
     * @param bridge    bridge name (interface-name rules)
     * @param iface     interface name inside the container (interface-name rules)
     * @param container container ID/name, {@code pid:N} or {@code netns:NAME}
     * @param settings  optional settings ({@link PortSettings#NONE})
     * @param caller    who asks, for the ledger
     * @return the host-side port name {@code <13 hex>_l}
     * @throws IllegalArgumentException bad input or unknown/stopped container
     * @throws PortAgentException       AlreadyExists (a port for container+interface exists, or the
     *                                  interface name is taken in the container), Unavailable (no
     *                                  OVSDB/Docker), ConstraintViolation/Failed (kernel or OVSDB refused)
     */
    String addPort(String bridge, String iface, String container, PortSettings settings, String caller);

    /**
     * ovs-docker del-port: removes the port from OVS and deletes the veth pair (the bridge argument is
     * checked for syntax only, as ovs-docker ignores it).
     *
     * @param bridge    bridge name
     * @param iface     interface name in the container
     * @param container the container reference used at add-port
     * @param caller    who asks
     * @throws IllegalArgumentException bad input
     * @throws PortAgentException       NotFound if no port matches
     */
    void deletePort(String bridge, String iface, String container, String caller);

    /**
     * ovs-docker del-ports: removes all ports of a container (none is not an error).
     *
     * @param bridge    bridge name (syntax only, as ovs-docker)
     * @param container container reference
     * @param caller    who asks
     * @return the removed host port names, sorted
     */
    List<String> deletePorts(String bridge, String container, String caller);

    /**
     * ovs-docker set-vlan: sets the Port {@code tag}.
     *
     * @param bridge    bridge name (syntax only)
     * @param iface     interface in the container
     * @param container container reference
     * @param vlan      0..4095
     * @param caller    who asks
     * @throws PortAgentException NotFound if no port matches
     */
    void setVlan(String bridge, String iface, String container, int vlan, String caller);

    /** @return all container ports known to OVSDB (Patchbay's and ovs-docker's), sorted by port name */
    List<ContainerPort> listPorts();

    /** @return ledger statistics (as of the last verification plus appends) */
    LedgerStats ledgerStats();

    /** @return ledger statistics after re-reading and re-verifying the whole file */
    LedgerStats verifyLedger();

    /**
     * @param n how many entries, &gt;= 0
     * @return the last {@code n} ledger entries, oldest first
     */
    List<LedgerEntry> ledgerTail(int n);
}
