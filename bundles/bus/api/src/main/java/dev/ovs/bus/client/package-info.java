/**
 * Client library of the bus's Unix-socket line protocol ({@code docs/bus.md}, "Line protocol"):
 * {@link dev.ovs.bus.client.BusClient}. Usable inside OSGi and from any other JVM process (needs
 * jackson-databind and junixsocket). Events it delivers are {@link dev.ovs.bus.Event}s of the contract package.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
@org.osgi.annotation.bundle.Export
package dev.ovs.bus.client;
