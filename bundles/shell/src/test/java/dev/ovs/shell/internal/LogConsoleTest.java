package dev.ovs.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
        PrintStream old = System.err;
        LogConsole console;
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            console = new LogConsole(reader(), level(" warn "));
        } finally {
            System.setErr(old);
        }
        assertThat(listeners).containsExactly(console);
        console.logged(entry(LogLevel.INFO, "quiet", null));
        console.logged(entry(LogLevel.WARN, "careful", null));
        console.logged(entry(LogLevel.ERROR, "broken", new IllegalStateException("why")));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("quiet")
                .startsWith("1970-01-01T00:00:00Z WARN [dev.ovs.test] careful\n")
                .contains("1970-01-01T00:00:00Z ERROR [dev.ovs.test] broken: java.lang.IllegalStateException: why");
        console.deactivate();
        assertThat(listeners).isEmpty();
    }

    @Test
    void anUnknownLevelIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new LogConsole(reader(), level("LOUD"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("level: 'LOUD' is not one of");
        assertThat(listeners).isEmpty();
    }
}
