package dev.ovs.shell.internal;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
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
 * The appliance's one log path (PID {@code dev.ovs.log}). Bundles log through {@link System.Logger} (its JDK
 * backend is java.util.logging) or the OSGi Log Service (1.4); the Declarative Services runtime and the
 * framework log to the Log Service. While active this component prints both, at or above {@code level}, to the
 * appliance's standard error in one format, one line per record:
 * {@code ISO-8601-time LEVEL [source] message}, then {@code : Exception: message; caused by: ... (at frame)} when
 * the record carries an exception (the frame is the first of the root cause). The source is the bundle's symbolic
 * name for Log Service entries and the logger name (the class) for {@code System.Logger} records. When standard
 * error is systemd's journal ({@code $JOURNAL_STREAM} set) the line starts with the syslog priority {@code <3>}
 * (ERROR), {@code <4>} (WARN), {@code <5>} (AUDIT), {@code <6>} (INFO), {@code <7>} (DEBUG, TRACE) instead of the
 * time (journald stamps and ranks it: sd-daemon(3)).
 *
 * <p>For {@code System.Logger} records it replaces the JDK's two-line console handler on the java.util.logging
 * root logger with its own and sets the root logger's level to {@code level} (records below it cost nothing);
 * both are restored on deactivate.
 */
@Component(configurationPid = "dev.ovs.log", service = {}, immediate = true)
@Designate(ocd = LogConsole.Config.class)
public final class LogConsole implements LogListener {

    /** Configuration of PID {@code dev.ovs.log}. */
    @ObjectClassDefinition(name = "Patchbay log console", description = "Log entries printed to standard error")
    public @interface Config {
        /** @return lowest level printed: AUDIT, ERROR, WARN, INFO, DEBUG or TRACE */
        @AttributeDefinition(description = "Lowest level printed: ERROR, WARN, INFO, DEBUG, TRACE", options = {
            @org.osgi.service.metatype.annotations.Option(value = "ERROR", label = "ERROR"),
            @org.osgi.service.metatype.annotations.Option(value = "WARN", label = "WARN"),
            @org.osgi.service.metatype.annotations.Option(value = "INFO", label = "INFO"),
            @org.osgi.service.metatype.annotations.Option(value = "DEBUG", label = "DEBUG"),
            @org.osgi.service.metatype.annotations.Option(value = "TRACE", label = "TRACE"),
            @org.osgi.service.metatype.annotations.Option(value = "AUDIT", label = "AUDIT")})
        String level() default "WARN";
    }

    private final LogReaderService reader;
    private final LogLevel level;
    private final PrintStream err;
    private final boolean journal;
    private final java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    private final List<Handler> replaced = new ArrayList<>();
    private final Level rootLevel;
    private final Handler jul = new Jul();

    /**
     * @param reader the log reader
     * @param config the level
     * @throws IllegalArgumentException if {@code level} is not a LogLevel name
     */
    @Activate
    public LogConsole(@Reference LogReaderService reader, Config config) {
        this(reader, config, System.err, System.getenv());
    }

    /**
     * @param reader the log reader
     * @param config the level
     * @param err    where lines go
     * @param env    the environment ({@code JOURNAL_STREAM})
     * @throws IllegalArgumentException if {@code level} is not a LogLevel name
     */
    LogConsole(LogReaderService reader, Config config, PrintStream err, Map<String, String> env) {
        try {
            this.level = LogLevel.valueOf(config.level().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dev.ovs.base.InvalidArgumentException("level", "'" + config.level()
                    + "' is not one of AUDIT, ERROR, WARN, INFO, DEBUG, TRACE");
        }
        this.reader = reader;
        this.err = err;
        this.journal = env.get("JOURNAL_STREAM") != null;
        synchronized (root) {
            for (Handler h : root.getHandlers()) {
                if (h instanceof java.util.logging.ConsoleHandler) {
                    root.removeHandler(h);
                    replaced.add(h);
                }
            }
            rootLevel = root.getLevel();
            root.setLevel(julLevel(level));
            root.addHandler(jul);
        }
        reader.addLogListener(this);
    }

    /** Stops listening; gives java.util.logging its console handler and level back. */
    @Deactivate
    public void deactivate() {
        reader.removeLogListener(this);
        synchronized (root) {
            root.removeHandler(jul);
            for (Handler h : replaced) {
                root.addHandler(h);
            }
            root.setLevel(rootLevel);
        }
    }

    @Override
    public void logged(LogEntry entry) {
        if (level.implies(entry.getLogLevel())) {
            err.println(format(entry.getTime(), entry.getLogLevel(),
                    entry.getBundle() == null ? "?" : entry.getBundle().getSymbolicName(), entry.getMessage(),
                    entry.getException()));
        }
    }

    /**
     * @param millis  when, ms since the epoch
     * @param l       the level
     * @param source  bundle symbolic name or logger name
     * @param message the message
     * @param t       the exception, or null
     * @return the record's one line (see the class comment), without a line break
     */
    String format(long millis, LogLevel l, String source, String message, Throwable t) {
        StringBuilder line = new StringBuilder(160);
        if (journal) {
            line.append('<').append(priority(l)).append('>');
        } else {
            line.append(Instant.ofEpochMilli(millis)).append(' ');
        }
        line.append(l).append(" [").append(source).append("] ").append(message);
        if (t != null) {
            line.append(": ").append(chain(t));
        }
        return oneLine(line.toString());
    }

    /**
     * @param t an exception
     * @return {@code Class: message; caused by: Class: message ... (at frame)}, the frame being the first of the root
     *         cause; Felix Log's wrapper (org.apache.felix.log.LogException, which carries the original's text) is
     *         skipped
     */
    static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Throwable c = t;
        Throwable last = t;
        int depth = 0;
        while (c != null && depth++ < 10) {
            boolean wrapper = c.getClass().getName().equals("org.apache.felix.log.LogException") && c.getCause() != null;
            if (!wrapper) {
                if (sb.length() > 0) {
                    sb.append("; caused by: ");
                }
                sb.append(c.getClass().getName());
                if (c.getMessage() != null) {
                    sb.append(": ").append(c.getMessage());
                }
            }
            last = c;
            c = c.getCause() == c ? null : c.getCause();
        }
        StackTraceElement[] st = last.getStackTrace();
        if (st != null && st.length > 0) {
            sb.append(" (at ").append(st[0]).append(')');
        }
        return sb.toString();
    }

    private static String oneLine(String s) {
        return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : s.replace("\r\n", " | ").replace('\n', '|')
                .replace('\r', '|');
    }

    private static int priority(LogLevel l) {
        return switch (l) {
            case AUDIT -> 5;
            case ERROR -> 3;
            case WARN -> 4;
            case INFO -> 6;
            case DEBUG, TRACE -> 7;
        };
    }

    /** @return the java.util.logging level at and above which records are printed for a console level */
    static Level julLevel(LogLevel l) {
        return switch (l) {
            case AUDIT, ERROR -> Level.SEVERE;
            case WARN -> Level.WARNING;
            case INFO -> Level.INFO;
            case DEBUG -> Level.FINE;
            case TRACE -> Level.ALL;
        };
    }

    /** @return the console level of a java.util.logging level */
    static LogLevel logLevel(Level l) {
        int v = l.intValue();
        return v >= Level.SEVERE.intValue() ? LogLevel.ERROR : v >= Level.WARNING.intValue() ? LogLevel.WARN
                : v >= Level.INFO.intValue() ? LogLevel.INFO : v >= Level.FINE.intValue() ? LogLevel.DEBUG
                : LogLevel.TRACE;
    }

    /** Prints java.util.logging records (every bundle's System.Logger) like Log Service entries. */
    private final class Jul extends Handler {
        private final java.util.logging.Formatter text = new java.util.logging.SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            if (r == null) {
                return;
            }
            LogLevel l = logLevel(r.getLevel());
            if (level.implies(l)) {
                err.println(format(r.getMillis(), l, r.getLoggerName() == null ? "?" : r.getLoggerName(),
                        text.formatMessage(r), r.getThrown()));
            }
        }

        @Override
        public void flush() {
            err.flush();
        }

        @Override
        public void close() {
            // the stream is the process's standard error
        }
    }
}
