package dev.ovs.netstate;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The host's network state as a declarative document (OSGi service of bundle {@code dev.ovs.netstate}).
 *
 * <p>A document is YAML (YAML 1.1 as read by jackson-dataformat-yaml; JSON is YAML too) with the keys of
 * {@code docs/state.md}: {@code interfaces[]} of {@code type} {@code ovs-bridge}, {@code ovs-interface} or
 * {@code ethernet} (an Open vSwitch port on an existing kernel device), each with {@code state: up} (default)
 * or {@code absent}, {@code vlan} links and {@code ipv4}/{@code ipv6} of links and {@code routes.config[]}
 * (systemd-networkd, through files Patchbay owns), and {@code container-ports[]} (ports of the port agent,
 * ovs-docker's add-port: container, interface, bridge, address, MAC, MTU, gateway, VLAN). A document is partial: objects, fields and
 * {@code external_ids} keys it does not name are left alone. Sources: Open vSwitch's ovs-vswitchd.conf.db(5)
 * for the columns, RFC 7047 for the transaction, nmstate's schema for the key names.
 *
 * <p>Checkpoints: {@link #apply} records the before-image of every object its changes touch in a journal
 * (written to disk and synced before the first change), makes all Open vSwitch changes in one OVSDB
 * transaction guarded by RFC 7047 §5.2.6 {@code wait} operations on that before-image, the container port
 * changes in the port agent's batches (all or nothing each), the networkd files (then Reload), and verifies the
 * result by re-reading. With a confirm timeout the checkpoint stays
 * {@link Checkpoint.State#PENDING pending} until {@link #commit} and is rolled back by itself at its
 * deadline; without one it is committed at once. At most one checkpoint is pending at a time. A pending
 * checkpoint survives a restart of the bundle or the JVM: the journal is read before any call is accepted,
 * and the checkpoint is rolled back at its deadline (at once when the deadline passed meanwhile, or when the
 * JVM died during an apply).
 *
 * <p>{@code caller} arguments name who asks, for the journal and the events (e.g. {@code shell},
 * {@code dbus::1.42 uid=0}); null is recorded as {@code unknown}. Every method is thread-safe; applies,
 * commits and rollbacks are serialized.
 */
@ProviderType
public interface NetState {
    /**
     * The current state of everything the document format covers, as a document. Applying it back changes
     * nothing ({@link #diff} of it is empty).
     *
     * @return YAML text, {@code interfaces:} first
     * @throws NetStateException Failed if the state cannot be read (e.g. no connection to ovsdb-server)
     */
    String show();

    /**
     * The changes {@link #apply} would make now; nothing is changed.
     *
     * @param document YAML text, not null
     * @return the changes in the order they would be made; empty when the state already matches
     * @throws dev.ovs.base.InvalidArgumentException naming the document path and the rule, for a document
     *                                               that is not valid (syntax, unknown key, value out of range,
     *                                               a reference to a port that neither the document nor the
     *                                               current state has)
     * @throws NetStateException                     Failed if the current state cannot be read
     */
    List<Change> diff(String document);

    /**
     * Applies a document atomically. The whole document is validated first (nothing is changed when it is
     * invalid); when its diff is empty nothing is written and the returned checkpoint is already committed.
     * Otherwise the before-image is journaled, the changes are made in one OVSDB transaction, ovs-vswitchd's
     * reconfiguration is awaited ({@code next_cfg}/{@code cur_cfg}) and the result is verified (every
     * changed interface without an {@code error}, every value as requested). Any failure rolls back what was
     * done and is thrown.
     *
     * @param document       YAML text, not null
     * @param confirmSeconds 0: committed at once; 1..86400: pending until {@link #commit}, rolled back by
     *                       itself after this many seconds
     * @param caller         who asks, for the journal and events; may be null
     * @return the checkpoint id (letters, digits and {@code -}; usable as a bus topic token)
     * @throws dev.ovs.base.InvalidArgumentException for an invalid document ({@link #diff}), or argument
     *                                               {@code confirmSeconds} out of range
     * @throws NetStateException                     CheckpointPending (another checkpoint is pending and the
     *                                               diff is not empty), Conflict (someone else changed an
     *                                               object the diff touches before the transaction; nothing
     *                                               was changed), Timeout (ovs-vswitchd did not apply the
     *                                               change in time; rolled back), Failed (the transaction or
     *                                               the verification failed, or the state cannot be read;
     *                                               rolled back, the message names what failed)
     */
    String apply(String document, long confirmSeconds, String caller);

    /**
     * Makes a pending checkpoint permanent.
     *
     * @param id     checkpoint id, or null for the pending one
     * @param caller who asks; may be null
     * @throws NetStateException NotFound (no such checkpoint, or none pending when {@code id} is null),
     *                           Failed (the checkpoint is not pending any more: committed or rolled back)
     */
    void commit(String id, String caller);

    /**
     * Restores the before-image of a pending checkpoint now: every object the apply touched gets its
     * journaled values back, what it created is removed; objects it did not touch are left alone.
     *
     * @param id     checkpoint id, or null for the pending one
     * @param caller who asks; may be null
     * @throws NetStateException NotFound (no such checkpoint, or none pending), Failed (not pending any more,
     *                           or the restore failed: the checkpoint stays pending and its deadline retries)
     */
    void rollback(String id, String caller);

    /**
     * @return the checkpoints of the journal, oldest first (the journal keeps the most recent ones; see the
     *         component's configuration {@code journal.keep})
     */
    List<Checkpoint> checkpoints();

    /**
     * @param id checkpoint id
     * @return the checkpoint, if the journal has it
     */
    Optional<Checkpoint> checkpoint(String id);
}
