package dev.ovs.metrics.internal;

import dev.ovs.base.InvalidArgumentException;
import java.io.PrintStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell command {@code metrics:show [prometheus|openmetrics]}: prints the exposition, exactly as
 * {@code GET /metrics} serves it. {@code bin/patchbay metrics} runs it through the admin socket.
 */
@Component(service = MetricsCommands.class, property = {"osgi.command.scope=metrics", "osgi.command.function=show"})
public final class MetricsCommands {
    private final MetricsService metrics;

    /**
     * @param metrics the registry's component
     */
    @Activate
    public MetricsCommands(@Reference MetricsService metrics) {
        this.metrics = metrics;
    }

    /** {@code metrics:show}: the Prometheus text format 0.0.4 on the session's output. */
    public void show() {
        show("prometheus");
    }

    /**
     * {@code metrics:show FORMAT}.
     *
     * @param format {@code prometheus} (text format 0.0.4) or {@code openmetrics} (OpenMetrics 1.0.0 text, ending
     *               with {@code # EOF})
     * @throws InvalidArgumentException if {@code format} is another word
     */
    public void show(String format) {
        show(format, System.out);
    }

    void show(String format, PrintStream out) {
        String accept = switch (format) {
            case "prometheus" -> MetricsService.PROMETHEUS_TEXT;
            case "openmetrics" -> MetricsService.OPENMETRICS_TEXT;
            default -> throw new InvalidArgumentException("format", "must be prometheus or openmetrics, got '" + format + "'");
        };
        byte[] body = metrics.scrape(accept).body();
        out.write(body, 0, body.length);
        out.flush();
    }
}
