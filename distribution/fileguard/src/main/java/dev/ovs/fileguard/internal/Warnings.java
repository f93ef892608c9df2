package dev.ovs.fileguard.internal;

import org.osgi.service.log.Logger;

/** Where the guard's warnings go: the OSGi log (printed by the shell's log console), else standard error. */
final class Warnings {
    private Warnings() {
    }

    /**
     * @param logger the component's logger, or {@code null} while no log service is bound
     * @param message the warning
     */
    static void warn(Logger logger, String message) {
        if (logger != null) {
            logger.warn(message);
        } else {
            System.err.println("WARN [dev.ovs.fileguard] " + message);
        }
    }
}
