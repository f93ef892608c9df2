package dev.ovs.shell.internal;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Prints log entries (OSGi Log Service 1.4) at or above a configured level to the appliance's standard
 * error, one line each ({@code ISO-8601-time LEVEL [bundle] message: exception}), so that component
 * failures reach the terminal or the systemd journal. Configuration PID {@code dev.ovs.log}.
 */
@Component(configurationPid = "dev.ovs.log", service = {}, immediate = true)
@Designate(ocd = LogConsole.Config.class)
public final class LogConsole implements LogListener {

    /** Configuration of PID {@code dev.ovs.log}. */
    @ObjectClassDefinition(name = "Patchbay log console", description = "Log entries printed to standard error")
    public @interface Config {
        /** @return lowest level printed: AUDIT, ERROR, WARN, INFO, DEBUG or TRACE */
        @AttributeDefinition(description = "Lowest level printed: ERROR, WARN, INFO, DEBUG, TRACE")
        String level() default "WARN";
    }

    private final LogReaderService reader;
    private final LogLevel level;
    private final PrintStream err = System.err;

    /**
     * @param reader the log reader
     * @param config the level
     * @throws IllegalArgumentException if {@code level} is not a LogLevel name
     */
    @Activate
    public LogConsole(@Reference LogReaderService reader, Config config) {
        try {
            this.level = LogLevel.valueOf(config.level().trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("level: '" + config.level()
                    + "' is not one of AUDIT, ERROR, WARN, INFO, DEBUG, TRACE", e);
        }
        this.reader = reader;
        reader.addLogListener(this);
    }

    /** Stops listening. */
    @Deactivate
    public void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        if (!level.implies(entry.getLogLevel())) {
            return;
        }
        StringBuilder line = new StringBuilder(160).append(Instant.ofEpochMilli(entry.getTime())).append(' ')
                .append(entry.getLogLevel()).append(" [")
                .append(entry.getBundle() == null ? "?" : entry.getBundle().getSymbolicName()).append("] ")
                .append(entry.getMessage());
        Throwable t = entry.getException();
        if (t != null) {
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            line.append(": ").append(sw);
        }
        err.println(line);
    }
}
