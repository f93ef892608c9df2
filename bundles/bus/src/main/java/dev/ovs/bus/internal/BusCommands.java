package dev.ovs.bus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.BusStats;
import dev.ovs.bus.Event;
import dev.ovs.bus.EventBus;
import dev.ovs.bus.Subscription;
import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell commands, scope {@code bus}: {@code bus:pub TOPIC JSON}, {@code bus:sub PATTERN [SECONDS]},
 * {@code bus:stats}.
 */
@Component(service = BusCommands.class, property = {"osgi.command.scope=bus", "osgi.command.function=pub",
        "osgi.command.function=sub", "osgi.command.function=stats"})
public final class BusCommands {
    private final ObjectMapper mapper = new ObjectMapper();
    @Reference
    private EventBus bus;

    /** For DS. */
    public BusCommands() {
    }

    BusCommands(EventBus bus) {
        this.bus = bus;
    }

    /**
     * {@code bus:pub TOPIC JSON}: publishes one event (type = last topic token).
     *
     * @param topic literal topic
     * @param json JSON payload text
     * @return a confirmation line
     * @throws IllegalArgumentException on an invalid topic or malformed JSON
     */
    public String pub(String topic, String json) {
        JsonNode payload;
        try {
            payload = mapper.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("json: malformed payload: " + e.getOriginalMessage());
        }
        bus.publish(topic, payload, null);
        return "published " + topic;
    }

    /**
     * {@code bus:sub PATTERN}: prints matching events, one JSON object per line, until interrupted (Ctrl-C).
     *
     * @param pattern subscription pattern
     * @return a summary line
     */
    public String sub(String pattern) {
        return sub(pattern, 0);
    }

    /**
     * {@code bus:sub PATTERN SECONDS}: prints matching events for SECONDS seconds (0 = until interrupted).
     *
     * @param pattern subscription pattern
     * @param seconds duration, 0 = until interrupted
     * @return a summary line with the number of events printed and dropped
     */
    public String sub(String pattern, int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("seconds: must be >= 0");
        }
        return sub(pattern, seconds, System.out);
    }

    String sub(String pattern, int seconds, PrintStream out) {
        BlockingQueue<Event> q = new ArrayBlockingQueue<>(1024);
        AtomicLong lost = new AtomicLong();
        long printed = 0;
        long deadline = seconds == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Subscription s = bus.subscribe(pattern, e -> {
            if (!q.offer(e)) {
                lost.incrementAndGet();
            }
        });
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Event e = q.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)), TimeUnit.NANOSECONDS);
                if (e != null) {
                    out.println(toJson(e));
                    out.flush();
                    printed++;
                }
            }
        } catch (InterruptedException ie) {
            // Ctrl-C: normal end
        } finally {
            s.close();
        }
        return "sub " + pattern + ": " + printed + " events printed, " + lost.get() + " dropped";
    }

    String toJson(Event e) {
        ObjectNode n = mapper.createObjectNode();
        n.put("topic", e.topic());
        n.put("type", e.type());
        n.put("ts", e.timestamp());
        n.put("source", e.source());
        n.set("payload", e.payload());
        return n.toString();
    }

    /**
     * {@code bus:stats}: counters, the socket, a rejected configuration (if any), and one line per subscriber and per
     * connection (with its requests denied by the permissions).
     *
     * @return the report
     */
    public String stats() {
        BusStats s = bus.stats();
        StringBuilder sb = new StringBuilder();
        sb.append("enabled    ").append(s.enabled()).append('\n');
        sb.append("published  ").append(s.published()).append('\n');
        sb.append("delivered  ").append(s.delivered()).append('\n');
        sb.append("dropped    ").append(s.dropped()).append('\n');
        sb.append("uptime_s   ").append(s.uptimeMillis() / 1000).append('\n');
        sb.append("socket     ").append(s.socket().isEmpty() ? "-" : s.socket());
        if (!s.socketError().isEmpty()) {
            sb.append(" (error: ").append(s.socketError()).append(')');
        }
        sb.append('\n');
        if (!s.configError().isEmpty()) {
            sb.append("config     error: ").append(s.configError()).append('\n');
        }
        sb.append(String.format("%-8s %-24s %-32s %10s %10s %7s%n", "ID", "OWNER", "PATTERN", "DELIVERED", "DROPPED",
                "QUEUED"));
        for (BusStats.SubscriberStats x : s.subscribers()) {
            sb.append(String.format("%-8s %-24s %-32s %10d %10d %7d%n", x.id(), x.owner(), x.pattern(), x.delivered(),
                    x.dropped(), x.queued()));
        }
        if (!s.connections().isEmpty()) {
            sb.append(String.format("%-8s %8s %8s %8s %6s %10s %8s%n", "CONN", "PID", "UID", "GID", "SUBS", "RECEIVED",
                    "DENIED"));
            for (BusStats.ConnectionStats c : s.connections()) {
                sb.append(String.format("%-8s %8d %8d %8d %6d %10d %8d%n", c.id(), c.pid(), c.uid(), c.gid(),
                        c.subscriptions(), c.received(), c.denied()));
            }
        }
        return sb.toString();
    }
}
