package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Daemon;
import dev.ovs.itests.harness.Leftovers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shell's {@code unit:start|stop|restart|status} of the packaged appliance, run by systemd as
 * {@code patchbay.service}, against that real systemd (PID 1 of a container of its own, see
 * {@link PackageUnderSystemd}) on test units inside the container; and the bus events
 * {@code systemd.unit.<unit>.job} for every job, the shell's and one queued by {@code systemctl} itself, seen by
 * a {@code patchbay bus sub} client on the bus socket.
 */
class SystemdUnitCommandsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB = Pattern.compile("^(\\S+): (\\S+) \\(job (/org/freedesktop/systemd1/job/\\d+)\\)$");
    private static final String SLEEPER = "pbt-sleeper.service";
    private static final String BROKEN = "pbt-broken.service";

    @Test
    void unitCommandsDriveTheRealSystemdAndEveryJobIsPublished() throws Exception {
        Leftovers before = Leftovers.snapshot();
        try (PackageUnderSystemd pkg = PackageUnderSystemd.install()) {
            pkg.box.write("/etc/systemd/system/" + SLEEPER, "[Unit]\nDescription=Patchbay test unit\n\n"
                    + "[Service]\nExecStart=/bin/sleep infinity\n");
            pkg.box.write("/etc/systemd/system/" + BROKEN, "[Unit]\nDescription=Patchbay test unit that fails\n\n"
                    + "[Service]\nType=oneshot\nExecStart=/bin/false\n");
            pkg.box.systemctl("daemon-reload");
            pkg.box.systemctl("start", PackageUnderSystemd.UNIT);

            Path log = pkg.dir.resolve("bus-sub.log");
            try (Daemon sub = pkg.box.spawn("patchbay bus sub", log, "/usr/bin/patchbay", "bus", "sub", ">")) {
                // subscribed once an event published after the client started comes back to it
                pkg.await("bus subscription", Duration.ofSeconds(60), () -> {
                    pkg.box.status("/usr/bin/patchbay", "bus", "pub", "pbt.ready", "{}");
                    return events(log).stream().anyMatch(e -> e.path("topic").asText().equals("pbt.ready"));
                });

                // start: systemd runs the unit, the shell prints the job's result
                String[] start = job(pkg.shell("unit:start " + SLEEPER));
                assertThat(start[0]).isEqualTo(SLEEPER);
                assertThat(start[1]).isEqualTo("done");
                assertThat(pkg.box.property(SLEEPER, "ActiveState")).isEqualTo("active");
                long pid = Long.parseLong(pkg.box.property(SLEEPER, "MainPID"));
                assertThat(pkg.shell("unit:status " + SLEEPER).trim()).isEqualTo(SLEEPER + ": loaded active (running)");

                // restart: a new main process
                String[] restart = job(pkg.shell("unit:restart " + SLEEPER));
                assertThat(restart[1]).isEqualTo("done");
                long pid2 = Long.parseLong(pkg.box.property(SLEEPER, "MainPID"));
                assertThat(pid2).isPositive().isNotEqualTo(pid);

                // stop
                String[] stop = job(pkg.shell("unit:stop " + SLEEPER));
                assertThat(stop[1]).isEqualTo("done");
                assertThat(pkg.box.property(SLEEPER, "ActiveState")).isEqualTo("inactive");
                assertThat(pkg.shell("unit:status " + SLEEPER).trim()).isEqualTo(SLEEPER + ": loaded inactive (dead)");

                // a unit that fails: the job's result, not an exception
                String[] broken = job(pkg.shell("unit:start " + BROKEN));
                assertThat(broken[1]).isEqualTo("failed");
                assertThat(pkg.shell("unit:status " + BROKEN).trim()).isEqualTo(BROKEN + ": loaded failed (failed)");

                // errors: an unknown unit, a bad name
                assertThatThrownBy(() -> pkg.shell("unit:status pbt-nope.service")).isInstanceOf(Cmd.Failed.class)
                        .satisfies(e -> assertThat(out((Cmd.Failed) e)).contains("NotFound"));
                assertThatThrownBy(() -> pkg.shell("unit:start 'bad name'")).isInstanceOf(Cmd.Failed.class)
                        .satisfies(e -> assertThat(out((Cmd.Failed) e)).contains("unit: "));

                // a job queued by someone else (systemctl) is published too
                pkg.box.systemctl("start", SLEEPER);

                // every job: topic systemd.unit.<unit, percent-encoded>.job, type job, payload of JobRemoved
                String sleeperTopic = "systemd.unit." + SLEEPER.replace(".", "%2E") + ".job";
                String brokenTopic = "systemd.unit." + BROKEN.replace(".", "%2E") + ".job";
                pkg.await("job events", Duration.ofSeconds(30), () -> events(log).stream()
                        .filter(e -> e.path("topic").asText().equals(sleeperTopic)).count() >= 4);
                List<JsonNode> jobs = events(log).stream().filter(e -> e.path("topic").asText().startsWith("systemd.unit."))
                        .toList();
                for (String[] j : List.of(start, restart, stop, broken)) {
                    String topic = j[0].equals(SLEEPER) ? sleeperTopic : brokenTopic;
                    assertThat(jobs).as("event of " + String.join(" ", j)).anySatisfy(e -> {
                        assertThat(e.path("topic").asText()).isEqualTo(topic);
                        assertThat(e.path("type").asText()).isEqualTo("job");
                        assertThat(e.path("payload").path("unit").asText()).isEqualTo(j[0]);
                        assertThat(e.path("payload").path("job").asText()).isEqualTo(j[2]);
                        assertThat(e.path("payload").path("result").asText()).isEqualTo(j[1]);
                        assertThat(e.path("payload").path("id").asLong())
                                .isEqualTo(Long.parseLong(j[2].substring(j[2].lastIndexOf('/') + 1)));
                    });
                }
                assertThat(jobs.stream().filter(e -> e.path("topic").asText().equals(sleeperTopic))
                        .map(e -> e.path("payload").path("job").asText()))
                        .as("the systemctl start's job, besides the shell's three").hasSizeGreaterThanOrEqualTo(4)
                        .doesNotHaveDuplicates();
            }
            pkg.box.systemctl("stop", SLEEPER, PackageUnderSystemd.UNIT);
        }
        before.assertNoneSince();
    }

    /** @return {unit, result, job path} of a {@code unit:start|stop|restart} line */
    private static String[] job(String line) {
        Matcher m = JOB.matcher(line.trim());
        assertThat(m.matches()).as("unit command output: " + line).isTrue();
        return new String[] {m.group(1), m.group(2), m.group(3)};
    }

    private static String out(Cmd.Failed e) {
        return e.stdout() + e.stderr();
    }

    /** The JSON objects {@code patchbay bus sub} printed so far, one per line. */
    private static List<JsonNode> events(Path log) {
        List<JsonNode> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(log)) {
                if (l.startsWith("{")) {
                    try {
                        out.add(JSON.readTree(l));
                    } catch (IOException partial) {
                        // the line being written
                    }
                }
            }
        } catch (IOException e) {
            // not created yet
        }
        return out;
    }
}
