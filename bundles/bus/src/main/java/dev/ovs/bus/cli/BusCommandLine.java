package dev.ovs.bus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ovs.bus.Topics;
import dev.ovs.bus.client.BusClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The command line tool behind {@code bin/patchbay bus}: publishes or subscribes through {@link BusClient}. Runs
 * outside OSGi, with this bundle's jar, the bus API bundle's jar, jackson-databind and the junixsocket wrapper on
 * the class path; inside the framework this package is private and unused.
 */
public final class BusCommandLine {
    private BusCommandLine() {
    }

    /**
     * Command line: {@code pub [--socket PATH | --etc DIR] [--type TYPE] TOPIC JSON} publishes one event and
     * waits for the server's ok; {@code sub [--socket PATH | --etc DIR] [--count N] [--seconds S] PATTERN}
     * prints one JSON object per event and line ({@code {"topic","type","ts","source","payload"}}), flushed
     * at once, after printing {@code subscribed PATTERN} to stderr; it runs until interrupted, the server
     * closes the connection, N events were printed, or S seconds passed. {@code --etc DIR} reads
     * {@code socket} from {@code DIR/dev.ovs.bus.cfg} (a missing file or key is an error: the bus then serves no
     * socket); without either option the socket is {@value BusClient#DEFAULT_SOCKET}, the one of the shipped file.
     *
     * <p>Exit status: 0 success; 1 connection failure or the server closed the connection during {@code sub};
     * 2 usage error or invalid argument; 3 the server answered with an error.
     *
     * @param args the arguments above
     */
    public static void main(String[] args) {
        int rc = run(args, System.out, System.err);
        System.out.flush();
        System.exit(rc);
    }

    /**
     * {@link #main(String[])} without {@code System.exit}.
     *
     * @param args arguments
     * @param stdout where events go
     * @param stderr where diagnostics go
     * @return the exit status
     */
    public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
        String usage = "usage: bus pub [--socket PATH|--etc DIR] [--type TYPE] TOPIC JSON\n"
                + "       bus sub [--socket PATH|--etc DIR] [--count N] [--seconds S] PATTERN";
        if (args.length == 0 || !(args[0].equals("pub") || args[0].equals("sub"))) {
            stderr.println(usage);
            return 2;
        }
        String cmd = args[0];
        String socket = null;
        String etc = null;
        String type = null;
        long count = 0;
        long seconds = 0;
        java.util.List<String> pos = new java.util.ArrayList<>();
        try {
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--socket" -> socket = value(args, ++i, a);
                    case "--etc" -> etc = value(args, ++i, a);
                    case "--type" -> type = value(args, ++i, a);
                    case "--count" -> count = nonNegative(value(args, ++i, a), a);
                    case "--seconds" -> seconds = nonNegative(value(args, ++i, a), a);
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        pos.add(a);
                    }
                }
            }
            if (socket == null) {
                socket = etc == null ? BusClient.DEFAULT_SOCKET : socketFromEtc(Path.of(etc));
            }
            if (cmd.equals("pub") && pos.size() != 2 || cmd.equals("sub") && pos.size() != 1) {
                throw new IllegalArgumentException("wrong number of arguments");
            }
        } catch (IllegalArgumentException | IOException e) {
            stderr.println("bus: " + e.getMessage());
            stderr.println(usage);
            return 2;
        }
        ObjectMapper m = new ObjectMapper();
        try {
            if (cmd.equals("pub")) {
                JsonNode payload;
                try {
                    Topics.checkTopic(pos.get(0));
                    payload = m.readTree(pos.get(1));
                } catch (IOException e) {
                    stderr.println("bus: json: malformed payload: " + e.getMessage());
                    return 2;
                } catch (IllegalArgumentException e) {
                    stderr.println("bus: " + e.getMessage());
                    return 2;
                }
                try (BusClient c = BusClient.connect(Path.of(socket))) {
                    c.publishAndWait(pos.get(0), payload, type, BusClient.DEFAULT_TIMEOUT);
                } catch (IllegalArgumentException e) {
                    stderr.println("bus: server error: " + e.getMessage());
                    return 3;
                }
                return 0;
            }
            String pattern = pos.get(0);
            try {
                Topics.checkPattern(pattern);
            } catch (IllegalArgumentException e) {
                stderr.println("bus: " + e.getMessage());
                return 2;
            }
            CountDownLatch enough = new CountDownLatch(1);
            AtomicLong printed = new AtomicLong();
            long max = count;
            try (BusClient c = BusClient.connect(Path.of(socket))) {
                c.subscribe(pattern, e -> {
                    if (max > 0 && printed.get() >= max) {
                        return;
                    }
                    ObjectNode n = m.createObjectNode();
                    n.put("topic", e.topic());
                    n.put("type", e.type());
                    n.put("ts", e.timestamp());
                    n.put("source", e.source());
                    n.set("payload", e.payload());
                    synchronized (stdout) {
                        stdout.println(n);
                        stdout.flush();
                    }
                    if (max > 0 && printed.incrementAndGet() >= max) {
                        enough.countDown();
                    }
                });
                stderr.println("subscribed " + pattern);
                stderr.flush();
                long deadline = seconds == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                while (true) {
                    if (enough.await(100, TimeUnit.MILLISECONDS)) {
                        return 0;
                    }
                    if (!c.isOpen()) {
                        stderr.println("bus: connection closed by the server");
                        return 1;
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        return 0;
                    }
                }
            } catch (IllegalArgumentException e) {
                stderr.println("bus: server error: " + e.getMessage());
                return 3;
            }
        } catch (IOException e) {
            stderr.println("bus: " + socket + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    private static long nonNegative(String v, String opt) {
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + ": must be a non-negative integer, got '" + v + "'");
        }
    }

    private static String socketFromEtc(Path etc) throws IOException {
        Path cfg = etc.resolve("dev.ovs.bus.cfg");
        if (!Files.exists(cfg)) {
            throw new IOException(cfg + " does not exist: the bus serves no socket without a socket= key");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(cfg, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String s = p.getProperty("socket", "").trim();
        if (s.isEmpty()) {
            throw new IOException(cfg + ": socket is empty or unset (the bus serves no socket)");
        }
        return s;
    }
}
