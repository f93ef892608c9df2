package dev.ovs.networkd.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of PID {@code dev.ovs.networkd} ({@code etc/dev.ovs.networkd.cfg}). */
@ObjectClassDefinition(name = "Patchbay systemd / systemd-networkd", description = "systemd1 and network1 "
        + "clients, Patchbay-owned .network files, link state events")
@interface NetworkdConfig {
    /** @return directory of .network/.netdev files Patchbay writes (systemd.network(5)) */
    @AttributeDefinition(name = "network.dir", description = "Directory where Patchbay writes its .network and "
            + ".netdev files (only files it wrote are ever changed); an absolute path")
    String network_dir() default "/etc/systemd/network";

    /** @return empty: the shared dev.ovs.dbus connection; else system, session or a D-Bus address */
    @AttributeDefinition(name = "address", description = "Empty (default): use the appliance's D-Bus connection "
            + "(dev.ovs.dbus). Otherwise own a private connection: system, session or unix:path=...",
            required = false)
    String address() default "";

    /** @return default job timeout of the unit:* shell commands, seconds */
    @AttributeDefinition(name = "job.timeout.seconds", description = "Job timeout of the unit:* shell commands", min = "1")
    int job_timeout_seconds() default 90;
}
