/**
 * The Open_vSwitch database ({@code vswitch.ovsschema}, ovs-vswitchd.conf.db(5)) as a service,
 * {@link dev.ovs.ovsdb.vswitch.VSwitch}: bridges, ports, interfaces, controllers, mirrors, QoS and queues with
 * the semantics of ovs-vsctl(8) (may-exist / if-exists, wait/verify guards, optional wait for ovs-vswitchd),
 * and typed operations for the common Port and Interface columns: {@link dev.ovs.ovsdb.vswitch.VlanTag}
 * (Port {@code tag}, {@code trunks}), {@link dev.ovs.ovsdb.vswitch.VlanMode} (Port {@code vlan_mode}),
 * Interface {@code mtu_request} and {@code external_ids} of the {@link dev.ovs.ovsdb.vswitch.NamedTable}s.
 * Names follow {@link dev.ovs.base.InterfaceName}; bad input is a {@link dev.ovs.base.InvalidArgumentException}.
 * Callers that build their own transaction commit it with {@link dev.ovs.ovsdb.vswitch.VSwitch#commit}, which adds
 * the same wait for ovs-vswitchd ({@code next_cfg}/{@code cur_cfg}); a change committed but not applied in time is a
 * {@link dev.ovs.ovsdb.vswitch.NotAppliedException}.
 */
@org.osgi.annotation.versioning.Version("2.1.0")
@org.osgi.annotation.bundle.Export(substitution = org.osgi.annotation.bundle.Export.Substitution.PROVIDER)
package dev.ovs.ovsdb.vswitch;
