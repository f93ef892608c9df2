package dev.ovs.ovsdb.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of PID {@code dev.ovs.ovsdb} ({@code etc/dev.ovs.ovsdb.cfg}). */
@ObjectClassDefinition(id = "dev.ovs.ovsdb", name = "Patchbay OVSDB client",
        description = "Connection to ovsdb-server (RFC 7047) and the Open_vSwitch API")
public @interface OvsdbConfig {
    /** @return unix:PATH or tcp:HOST:PORT */
    @AttributeDefinition(name = "remote", description = "ovsdb-server remote: unix:PATH or tcp:HOST:PORT")
    String remote() default "unix:/var/run/openvswitch/db.sock";

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
    @AttributeDefinition(name = "reconnect max (ms)", description = "exponential reconnect backoff cap", min = "1")
    long reconnect_max_ms() default 8000;

    /** @return wait until ovs-vswitchd applied each change (property wait.for.vswitchd) */
    @AttributeDefinition(name = "wait for ovs-vswitchd", description = "like ovs-vsctl without --no-wait (skipped if ovs-vswitchd never ran against the database)")
    boolean wait_for_vswitchd() default true;

    /** @return how long to wait for ovs-vswitchd in ms (property vswitchd.timeout.ms) */
    @AttributeDefinition(name = "ovs-vswitchd timeout (ms)", min = "1")
    long vswitchd_timeout_ms() default 10000;

    /** @return datapath_type of bridges created without one (property bridge.datapath_type; "" = OVS default) */
    @AttributeDefinition(name = "bridge datapath_type",
            description = "datapath_type of new bridges: empty (kernel 'system', OVS default) or netdev (userspace)",
            required = false)
    String bridge_datapath__type() default "";
}
