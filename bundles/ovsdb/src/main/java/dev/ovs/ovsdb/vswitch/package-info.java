/**
 * The Open_vSwitch database ({@code vswitch.ovsschema}) as a service: bridges, ports, interfaces, controllers,
 * mirrors, QoS and queues with the semantics of ovs-vsctl(8) (may-exist / if-exists, wait/verify guards,
 * optional wait for ovs-vswitchd). 1.1.0: mirrors, QoS, queues, ingress policing (VSwitch methods and the
 * MirrorSpec/MirrorInfo/QosSpec/QueueSpec/QosInfo/QueueInfo records). 1.2.0: {@code VSwitch.create} with
 * a default datapath type for new bridges.
 */
@org.osgi.annotation.versioning.Version("1.2.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.ovsdb.vswitch;
