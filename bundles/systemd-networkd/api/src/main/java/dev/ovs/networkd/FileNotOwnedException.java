package dev.ovs.networkd;

import dev.ovs.base.ErrorKind;
import java.nio.file.Path;

/**
 * A configuration file exists under {@code network.dir} that Patchbay did not write (it lacks the ownership
 * header of {@link NetworkFiles}); it is left untouched. Kind {@link ErrorKind#ConstraintViolation}: the rule
 * "Patchbay never overwrites or removes files it does not own" refused the change.
 */
public class FileNotOwnedException extends NetworkdException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file    the foreign file, not null
     * @param message human readable message naming the file and the refused operation
     */
    public FileNotOwnedException(Path file, String message) {
        super(ErrorKind.ConstraintViolation, message);
        this.file = file;
    }

    /** @return the foreign file */
    public Path file() {
        return file;
    }
}
