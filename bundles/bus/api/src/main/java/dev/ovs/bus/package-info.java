/**
 * Patchbay event bus API: "something just happened" notifications between bundles and to other
 * processes on the host.
 *
 * <p>Topics are NATS subjects (see {@link dev.ovs.bus.Topics}); delivery is at-most-once with a bounded
 * drop-oldest queue per subscriber ({@link dev.ovs.bus.EventBus}). Subscribe either imperatively with
 * {@link dev.ovs.bus.EventBus#subscribe(String, EventListener)} or by registering an
 * {@link dev.ovs.bus.EventListener} service with the {@value dev.ovs.bus.EventListener#TOPICS} property
 * (whiteboard). Other processes use the Unix-socket line protocol, for example with the client library in
 * {@code dev.ovs.bus.client}. See {@code docs/bus.md}.
 */
@org.osgi.annotation.versioning.Version("2.0.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.bus;
