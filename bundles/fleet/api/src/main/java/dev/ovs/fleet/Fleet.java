package dev.ovs.fleet;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The fleet agent of this host (OSGi service of bundle {@code dev.ovs.fleet}, registered while its configuration
 * {@code dev.ovs.fleet} is active, also when {@code enabled=false}). Mutations reach a host only as desired state
 * in bucket {@value Subjects#DESIRED_BUCKET}; this service only reports.
 */
@ProviderType
public interface Fleet {
    /** @return a snapshot of the agent's connection, event counters and desired/applied revisions; never null */
    FleetStatus status();
}
