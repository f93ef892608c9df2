package dev.ovs.fleet.client;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.base.InvalidArgumentException;
import dev.ovs.fleet.HostOutcome;
import dev.ovs.fleet.HostState;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.RolloutOptions;
import dev.ovs.fleet.RolloutResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/patchbay fleet apply|status}: the rollout controller from a terminal.
 *
 * <pre>
 * fleet apply  --servers URL[,URL] [--creds FILE] [--tls-ca FILE] [--insecure] [--replicas N]
 *              (--hosts h1,h2,... | --all) [--max-unavailable N] [--timeout S] DOC|-
 * fleet status --servers URL[,URL] [--creds FILE] [--tls-ca FILE] [--insecure]
 * </pre>
 *
 * <p>{@code apply} prints one line per host (host, revision, result, seconds, error) and exits 0 when every host
 * applied, 1 when the rollout stopped at a failure. {@code status} prints the table host, desired revision,
 * reported revision, status, age, error. Exit 64 for bad arguments, 69 when NATS is unavailable, 70 for other
 * failures (sysexits.h).
 */
public final class FleetCli {
    /** Exit status for bad usage (sysexits.h EX_USAGE): {@value}. */
    public static final int EX_USAGE = 64;
    /** Exit status when NATS does not answer (EX_UNAVAILABLE): {@value}. */
    public static final int EX_UNAVAILABLE = 69;
    /** Exit status for any other failure (EX_SOFTWARE): {@value}. */
    public static final int EX_SOFTWARE = 70;

    private FleetCli() {
    }

    /**
     * @param args see the class comment
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command.
     *
     * @param args the arguments
     * @param out  standard output
     * @param err  standard error
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return run0(args, out);
        } catch (InvalidArgumentException e) {
            err.println("patchbay fleet: " + e.getMessage());
            return EX_USAGE;
        } catch (DomainException e) {
            err.println("patchbay fleet: " + e.getMessage());
            return e.kind() == ErrorKind.Unavailable ? EX_UNAVAILABLE : EX_SOFTWARE;
        }
    }

    private static int run0(String[] args, PrintStream out) {
        if (args.length == 0 || !(args[0].equals("apply") || args[0].equals("status"))) {
            throw new InvalidArgumentException("command", "must be 'apply' or 'status'");
        }
        String cmd = args[0];
        String servers = null;
        Path creds = null;
        Path tlsCa = null;
        boolean insecure = false;
        int replicas = 0;
        String hosts = null;
        boolean all = false;
        int maxUnavailable = 1;
        int timeout = (int) RolloutOptions.DEFAULT_TIMEOUT.toSeconds();
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--servers" -> servers = value(args, ++i, a);
                case "--creds" -> creds = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--tls-ca" -> tlsCa = Path.of(value(args, ++i, a)).toAbsolutePath();
                case "--insecure" -> insecure = true;
                case "--replicas" -> replicas = number(value(args, ++i, a), a);
                case "--hosts" -> hosts = value(args, ++i, a);
                case "--all" -> all = true;
                case "--max-unavailable" -> maxUnavailable = number(value(args, ++i, a), a);
                case "--timeout" -> timeout = number(value(args, ++i, a), a);
                default -> {
                    if (a.startsWith("--")) {
                        throw new InvalidArgumentException(a, "unknown option");
                    }
                    rest.add(a);
                }
            }
        }
        if (servers == null || servers.isBlank()) {
            throw new InvalidArgumentException("--servers", "required: nats:// or tls:// URL(s)");
        }
        if (creds != null && !Files.isReadable(creds)) {
            throw new InvalidArgumentException("--creds", "file " + creds + " is not readable");
        }
        if (cmd.equals("status")) {
            if (!rest.isEmpty()) {
                throw new InvalidArgumentException("status", "takes no document");
            }
            try (NatsFleetController c = NatsFleetController.connect(NatsConnect.split(servers), creds, tlsCa, insecure,
                    replicas)) {
                out.print(table(c.status(), System.currentTimeMillis()));
                return 0;
            }
        }
        if (rest.size() != 1) {
            throw new InvalidArgumentException("DOC", "exactly one document file (or - for standard input) is required");
        }
        if (all == (hosts != null)) {
            throw new InvalidArgumentException("--hosts", "give either --hosts h1,h2,... or --all");
        }
        RolloutOptions o = (all ? RolloutOptions.all() : RolloutOptions.hosts(NatsConnect.split(hosts)))
                .withMaxUnavailable(maxUnavailable).withTimeout(Duration.ofSeconds(timeout));
        String doc = read(rest.get(0));
        try (NatsFleetController c = NatsFleetController.connect(NatsConnect.split(servers), creds, tlsCa, insecure,
                replicas)) {
            RolloutResult r = c.rollout(doc, o);
            out.printf("%-34s %8s %-12s %8s  %s%n", "HOST", "REVISION", "RESULT", "SECONDS", "ERROR");
            for (HostOutcome h : r.outcomes()) {
                out.printf("%-34s %8s %-12s %8s  %s%n", h.host(), h.revision() == 0 ? "-" : h.revision(),
                        h.result().name().toLowerCase().replace('_', '-'),
                        h.result() == HostOutcome.Result.NOT_STARTED ? "-" : String.format("%.1f", h.elapsedMillis() / 1000.0),
                        h.error() == null ? "" : oneLine(h.error()));
            }
            out.printf("%s in %.1f s%n", r.complete() ? "rollout complete" : "rollout stopped", r.elapsedMillis() / 1000.0);
            return r.complete() ? 0 : 1;
        }
    }

    /**
     * @param rows status rows
     * @param now  current time, ms since the epoch
     * @return the table: host, desired revision, reported revision, status, age of the report, error
     */
    public static String table(List<HostState> rows, long now) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-34s %8s %8s %-12s %8s  %s%n", "HOST", "DESIRED", "REPORTED", "STATUS", "AGE", "ERROR"));
        for (HostState h : rows) {
            Report r = h.report();
            sb.append(String.format("%-34s %8s %8s %-12s %8s  %s%n", h.host(),
                    h.desiredRevision() == 0 ? "-" : h.desiredRevision(), r == null ? "-" : r.revision(),
                    r == null ? "-" : r.status().wire(), r == null ? "-" : age(now - r.timestamp()),
                    r == null || r.error() == null ? "" : oneLine(r.error())));
        }
        return sb.toString();
    }

    private static String age(long ms) {
        long s = Math.max(0, ms / 1000);
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return s / 60 + "m";
        }
        if (s < 172800) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new InvalidArgumentException(option, "needs a value");
        }
        return args[i];
    }

    private static int number(String v, String option) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException(option, "must be an integer, got '" + v + "'");
        }
    }

    private static String read(String file) {
        try {
            return file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidArgumentException("DOC", "cannot read " + file + ": " + e.getMessage());
        }
    }
}
