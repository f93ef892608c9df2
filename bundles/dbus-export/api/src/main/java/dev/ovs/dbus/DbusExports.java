package dev.ovs.dbus;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Status of the whiteboard exports (OSGi service, same component as {@link DbusConnectionService}): how a
 * registrant learns whether its object is on the bus, or why not.
 */
@ProviderType
public interface DbusExports {
    /** @return one entry per tracked whiteboard service, ordered by service id; a snapshot */
    List<ExportStatus> exports();

    /**
     * @param serviceId the OSGi {@code service.id} of a whiteboard service
     * @return its status, or null if it is not tracked (no {@value DbusExport#OBJECT_PATH} property, or gone)
     */
    ExportStatus status(long serviceId);
}
