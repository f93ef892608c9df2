/**
 * Pieces of the bus's Unix-socket line protocol ({@code docs/bus.md}, "Line protocol") that both ends of the
 * socket use: {@link dev.ovs.bus.protocol.JsonText}, the allocation-free JSON grammar check with which the client
 * library checks payloads before sending and the bus server scans request lines. Not needed by in-process users
 * of {@link dev.ovs.bus.EventBus}.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.bus.protocol;
