package dev.ovs.ovsdb.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of PID {@code dev.ovs.ovsdb} ({@code etc/dev.ovs.ovsdb.cfg}). */
@ObjectClassDefinition(id = "dev.ovs.ovsdb", name = "Patchbay OVSDB client",
        description = "Connection to ovsdb-server (RFC 7047) and the Open_vSwitch API")
public @interface OvsdbConfig {
    /** @return unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT, or a comma-separated list of them (tried in order) */
    @AttributeDefinition(name = "remote", description = "ovsdb-server remote: unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT; "
            + "several separated by commas (one connection at a time, the next after a failure)")
    String remote() default "unix:/var/run/openvswitch/db.sock";

    /** @return PEM file of the client's private key for ssl: remotes (property private.key; ovs-vsctl --private-key) */
    @AttributeDefinition(name = "private key", description = "PEM private key for ssl: remotes (unencrypted; "
            + "like ovs-vsctl --private-key)", required = false)
    String private_key() default "";

    /** @return PEM file of the client's certificate for ssl: remotes (property certificate; ovs-vsctl --certificate) */
    @AttributeDefinition(name = "certificate", description = "PEM certificate presented to ssl: remotes (like "
            + "ovs-vsctl --certificate)", required = false)
    String certificate() default "";

    /** @return PEM file of the CA certificate(s) that sign the servers' certificates (property ca.cert; ovs-vsctl --ca-cert) */
    @AttributeDefinition(name = "CA certificate", description = "PEM CA certificate that signed the servers' "
            + "certificates (like ovs-vsctl --ca-cert)", required = false)
    String ca_cert() default "";

    /** @return connect only to the leader of clustered databases (property leader.only) */
    @AttributeDefinition(name = "leader only", description = "accept a server only while it is the RAFT leader of its "
            + "clustered databases (_Server.Database leader), else try the next remote")
    boolean leader_only() default false;

    /** @return inactivity probe interval in ms (property probe.interval.ms), 0 disables */
    @AttributeDefinition(name = "probe interval (ms)", description = "echo after this long without traffic; 0 disables", min = "0")
    long probe_interval_ms() default 5000;

    /** @return request timeout in ms (property request.timeout.ms), 0 disables */
    @AttributeDefinition(name = "request timeout (ms)", description = "a request without reply after this long fails", min = "0")
    long request_timeout_ms() default 30000;

    /** @return largest accepted message in bytes (property max.message.bytes) */
    @AttributeDefinition(name = "max message bytes", description = "larger messages from the server are a connection error", min = "1024")
    int max_message_bytes() default 64 << 20;

    /** @return reconnect backoff cap in ms (property reconnect.max.ms) */
    @AttributeDefinition(name = "reconnect max (ms)", description = "exponential reconnect backoff cap (the first delay is 100 ms)", min = "100")
    long reconnect_max_ms() default 8000;

    /** @return wait until ovs-vswitchd applied each change (property wait.for.vswitchd) */
    @AttributeDefinition(name = "wait for ovs-vswitchd", description = "like ovs-vsctl without --no-wait (skipped if ovs-vswitchd never ran against the database)")
    boolean wait_for_vswitchd() default true;

    /** @return how long to wait for ovs-vswitchd in ms (property vswitchd.timeout.ms) */
    @AttributeDefinition(name = "ovs-vswitchd timeout (ms)", min = "1")
    long vswitchd_timeout_ms() default 10000;

    /** @return datapath_type of bridges created without one (property bridge.datapath_type; "" = OVS default) */
    @AttributeDefinition(name = "bridge datapath_type",
            description = "datapath_type of new bridges: empty (kernel 'system', OVS default), system or netdev (userspace)",
            required = false)
    String bridge_datapath__type() default "";
}
