package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/** The log console: level filter, line format, registration and removal of its listener. */
class LogConsoleTest {

    private final List<LogListener> listeners = new ArrayList<>();

    private LogReaderService reader() {
        return (LogReaderService) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {LogReaderService.class},
                (p, m, a) -> switch (m.getName()) {
                    case "addLogListener" -> listeners.add((LogListener) a[0]);
                    case "removeLogListener" -> listeners.remove((LogListener) a[0]);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static LogConsole.Config level(String level) {
        return (LogConsole.Config) Proxy.newProxyInstance(LogConsole.Config.class.getClassLoader(),
                new Class<?>[] {LogConsole.Config.class}, (p, m, a) -> level);
    }

    private static LogEntry entry(LogLevel level, String message, Throwable t) {
        Bundle b = (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> "dev.ovs.test");
        return (LogEntry) Proxy.newProxyInstance(LogEntry.class.getClassLoader(), new Class<?>[] {LogEntry.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getLogLevel" -> level;
                    case "getMessage" -> message;
                    case "getException" -> t;
                    case "getTime" -> 0L;
                    case "getBundle" -> b;
                    default -> null;
                });
    }

    @Test
    void printsEntriesAtOrAboveTheLevelOneLineEach() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LogConsole console = new LogConsole(reader(), level(" warn "), new PrintStream(buf, true, StandardCharsets.UTF_8),
                Map.of());
        try {
            assertThat(listeners).containsExactly(console);
            console.logged(entry(LogLevel.INFO, "quiet", null));
            console.logged(entry(LogLevel.WARN, "careful", null));
            console.logged(entry(LogLevel.ERROR, "broken\nacross lines",
                    new IllegalStateException("why", new java.io.IOException("root cause"))));
            List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).isEqualTo("1970-01-01T00:00:00Z WARN [dev.ovs.test] careful");
            assertThat(lines.get(1)).startsWith("1970-01-01T00:00:00Z ERROR [dev.ovs.test] broken|across lines: "
                    + "java.lang.IllegalStateException: why; caused by: java.io.IOException: root cause (at "
                    + LogConsoleTest.class.getName());
        } finally {
            console.deactivate();
        }
        assertThat(listeners).isEmpty();
    }

    @Test
    void systemLoggerRecordsArePrintedTheSameWayInsteadOfTheJdkConsoleFormat() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.Handler[] before = root.getHandlers();
        java.util.logging.Level levelBefore = root.getLevel();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LogConsole console = new LogConsole(reader(), level("INFO"), new PrintStream(buf, true, StandardCharsets.UTF_8),
                Map.of());
        try {
            assertThat(root.getHandlers()).noneMatch(h -> h instanceof java.util.logging.ConsoleHandler);
            System.Logger log = System.getLogger("dev.ovs.example.Thing");
            log.log(System.Logger.Level.DEBUG, "not printed");
            log.log(System.Logger.Level.INFO, "connected to {0}", "unix:/x");
            log.log(System.Logger.Level.WARNING, "lost it", new java.io.IOException("EOF"));
            List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z INFO \\[dev.ovs.example.Thing\\] "
                    + "connected to unix:/x");
            assertThat(lines.get(1)).contains(" WARN [dev.ovs.example.Thing] lost it: java.io.IOException: EOF (at ");
        } finally {
            console.deactivate();
        }
        assertThat(root.getHandlers()).containsExactly(before);
        assertThat(root.getLevel()).isEqualTo(levelBefore);
    }

    @Test
    void underJournaldTheLineStartsWithTheSyslogPriority() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LogConsole console = new LogConsole(reader(), level("INFO"), new PrintStream(buf, true, StandardCharsets.UTF_8),
                Map.of("JOURNAL_STREAM", "8:12345"));
        try {
            console.logged(entry(LogLevel.ERROR, "e", null));
            console.logged(entry(LogLevel.WARN, "w", null));
            console.logged(entry(LogLevel.INFO, "i", null));
            assertThat(buf.toString(StandardCharsets.UTF_8).lines())
                    .containsExactly("<3>ERROR [dev.ovs.test] e", "<4>WARN [dev.ovs.test] w", "<6>INFO [dev.ovs.test] i");
        } finally {
            console.deactivate();
        }
    }

    @Test
    void anUnknownLevelIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new LogConsole(reader(), level("LOUD"), System.err, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("level: 'LOUD' is not one of");
        assertThat(listeners).isEmpty();
    }
}
