package dev.ovs.portagent;

import dev.ovs.ovsdb.vswitch.VlanTag;
import java.util.List;

/**
 * ovs-docker-compatible container ports as an OSGi service (behaviour of {@code /usr/bin/ovs-docker},
 * Open vSwitch utilities): a veth pair {@code <13 hex>_l} (host side, port on the bridge) /
 * container side (named {@code INTERFACE} in the container's network namespace), Interface
 * {@code external_ids:container_id=<CONTAINER>} and {@code container_iface=<INTERFACE>}.
 *
 * <p>Errors: {@link dev.ovs.base.InvalidArgumentException} for bad input and unknown or stopped containers
 * (before any side effect; {@code argument()} names the field, {@code rule()} the broken rule);
 * {@link PortAgentException} (a {@link dev.ovs.base.DomainException}) otherwise. Every mutating call is
 * appended to the ledger with {@code caller}, its arguments and its result, one entry per port.
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
     * @throws dev.ovs.base.InvalidArgumentException bad input or unknown/stopped container
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
     * @throws dev.ovs.base.InvalidArgumentException bad input
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
     * ovs-docker set-vlan: sets the Port {@code tag} of the container's port. The port is looked up once
     * (container + interface, from OVSDB) and its tag set in one transaction.
     *
     * @param bridge    bridge name (syntax only)
     * @param iface     interface in the container
     * @param container container reference
     * @param vlan      the access VLAN, not null (its range was checked when it was made)
     * @param caller    who asks
     * @throws dev.ovs.base.InvalidArgumentException bad input, or {@code vlan} null
     * @throws PortAgentException NotFound if no port matches
     */
    void setVlan(String bridge, String iface, String container, VlanTag vlan, String caller);

    /**
     * Applies several changes to container ports as one: all of them or none. Used for many containers at
     * once (the network-state bundle's {@code container-ports}), where one add-port per container would
     * wait for ovs-vswitchd once per port.
     *
     * <ol>
     * <li>Every change is validated before any side effect (names, container references, settings; one
     * change per container + interface); a broken rule is an {@link dev.ovs.base.InvalidArgumentException}
     * whose argument is prefixed with the change's index, e.g. {@code changes[3].vlan}.</li>
     * <li>Lookups, still without side effects: ports to detach or re-tag must exist ({@code NotFound}),
     * ports to attach must not ({@code AlreadyExists}), containers are resolved (unknown or stopped:
     * {@code InvalidArgumentException}).</li>
     * <li>Bridges that attaches need and that do not exist are created ({@code ovs-docker} does the same),
     * one OVSDB transaction each.</li>
     * <li>Kernel: every attach gets its veth pair (container end in the container's namespace, with MTU, MAC,
     * up, address and default route; host end renamed, marked and up).</li>
     * <li>OVSDB: <b>one</b> transaction for every port of the batch (Interface and Port rows of the
     * attaches, removal from their bridges of the detaches, Port {@code tag} of the re-tags), then <b>one</b>
     * wait until ovs-vswitchd applied it ({@code Open_vSwitch.cur_cfg}, like {@code ovs-vsctl} without
     * {@code --no-wait}).</li>
     * <li>The host veths of detached ports are deleted (their container ends with them), together: one link group
     * deletion ({@code ip link delete group N}), so the kernel waits for its RCU grace periods once for the batch.</li>
     * </ol>
     * A failure in steps 3 to 5 undoes everything done before it: the veths made, the bridges made, and,
     * when ovs-vswitchd did not confirm a committed transaction in time, the transaction itself (a second
     * transaction restores the rows as they were). A failure in step 6 (the kernel refusing to delete a
     * veth, which it does not do for a link that exists) is reported after the other deletions; OVSDB then
     * holds the new state and the agent's reconcile removes the leftover veth.
     *
     * <p>Each change is one ledger entry (operation {@code add-port}, {@code del-port} or {@code set-vlan},
     * its arguments plus {@code batch}: {@code <batch id> <n>/<size>}), written after the outcome: the
     * host port and {@code ok}, or the error of the batch for every change. Events as for the single
     * operations, after the batch succeeded.
     *
     * @param changes the changes, in any order (applied as one); empty: nothing is done
     * @param caller  who asks, for the ledger
     * @return the host port name ({@code <13 hex>_l}) of each change, in the order of {@code changes}
     * @throws dev.ovs.base.InvalidArgumentException bad input (nothing done)
     * @throws PortAgentException NotFound, AlreadyExists, Unavailable, Timeout, ConstraintViolation or Failed;
     *                            everything undone except as stated for step 6
     */
    List<String> apply(List<PortChange> changes, String caller);

    /**
     * Deletes a link of the bridges' network namespace ({@code RTM_DELLINK}, as {@code ip link delete NAME} and
     * {@code networkctl delete NAME} do) that another component created and does not delete by itself: a VLAN link of
     * systemd-networkd whose {@code .netdev} file was removed (networkd never deletes links). Not for container ports
     * (use {@link #deletePort}): a link that is a port of an Open vSwitch bridge is refused. One ledger entry
     * (operation {@code del-link}, argument {@code link}; result {@code ok: deleted} or {@code ok: absent}).
     *
     * @param name   link name (interface-name rules)
     * @param caller who asks, for the ledger
     * @return true if the link was deleted, false if there was no such link
     * @throws dev.ovs.base.InvalidArgumentException bad name (nothing done)
     * @throws PortAgentException ConstraintViolation (the link is an interface of an Open vSwitch bridge; nothing
     *                            done), Unavailable (no OVSDB), Failed (the kernel refused)
     * @since dev.ovs.portagent 2.1.0
     */
    boolean deleteLink(String name, String caller);

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
