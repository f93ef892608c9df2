/**
 * The bus outside a framework, for tests, tools and benchmarks: {@link dev.ovs.bus.embedded.EmbeddedBus}. Not API:
 * this package is private to the bundle {@code dev.ovs.bus} (not exported, no version), it is usable only with the
 * bundle's jar on a plain class path, and it may change with the implementation.
 */
package dev.ovs.bus.embedded;
