/**
 * Patchbay fleet over NATS (DESIGN.md, "Fleet (NATS)"): many hosts, one NATS hub with JetStream.
 *
 * <p>Each host (the agent, bundle {@code dev.ovs.fleet}, PID {@code dev.ovs.fleet}) publishes its local bus
 * events as {@code patchbay.<host.id>.<topic>} ({@link dev.ovs.fleet.Subjects#event}), watches its desired
 * state document in the JetStream key-value bucket {@value dev.ovs.fleet.Subjects#DESIRED_BUCKET} (key
 * {@code <host.id>}), applies the newest revision through the network-state service with a confirm timeout,
 * and reports the outcome in bucket {@value dev.ovs.fleet.Subjects#REPORTED_BUCKET} ({@link dev.ovs.fleet.Report}).
 * {@link dev.ovs.fleet.Fleet} is the agent's status service ({@code fleet:status}).
 *
 * <p>{@link dev.ovs.fleet.FleetController} is the rollout side: it writes desired documents to many hosts,
 * at most {@code maxUnavailable} at a time, waits for their reports and stops at the first failure
 * ({@code bin/patchbay fleet apply|status}). See {@code docs/fleet.md}.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.fleet;
