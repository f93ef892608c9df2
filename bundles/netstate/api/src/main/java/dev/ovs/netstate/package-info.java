/**
 * Desired network state: {@link dev.ovs.netstate.NetState} shows the host's state as a YAML document
 * (nmstate's key names where nmstate has the concept, plus Patchbay's own keys), computes the
 * {@link dev.ovs.netstate.Change}s a document would make, applies a document atomically under a
 * {@link dev.ovs.netstate.Checkpoint} that is either committed at once or stays pending until a commit, and
 * rolls back to the checkpoint's before-image (at the confirm deadline by itself). The document format is
 * described in {@code docs/state.md}.
 *
 * <p>Errors: {@link dev.ovs.base.InvalidArgumentException} for a bad document (its argument is the
 * document path, e.g. {@code interfaces[2].bridge.port[0].vlan.tag}), {@link dev.ovs.netstate.NetStateException}
 * with kind {@code CheckpointPending}, {@code NotFound}, {@code Conflict}, {@code Timeout} or {@code Failed}
 * for the rest. On D-Bus ({@code dev.ovs.NetState1}) these are {@code org.freedesktop.DBus.Error.InvalidArgs}
 * and {@code dev.ovs.NetState1.Error.<kind>}.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.netstate;
