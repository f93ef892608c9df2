package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.dbus.ledger.LedgerStats;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A full and a read-only state directory, for real: the exporter with its ledger on a 128 KiB tmpfs, in a child JVM
 * ({@link LedgerOnTmpfsMain}) that runs in a mount namespace of its own ({@code unshare --mount}: the tmpfs never
 * appears on the host and goes with the process), called over a real dbus-daemon with gdbus.
 *
 * <ul>
 * <li>Full: the test fills the tmpfs through {@code /proc/<pid>/root} and calls the mutating member {@code Set}
 * until the ledger cannot take a line: that call fails with {@code <namespace>.Unavailable} and
 * {@code Set: ledger: No space left on device}, the member did not run (its value is unchanged, no intent was
 * written), and the file holds only whole lines. After the space returns, calls work again and the whole chain
 * verifies.</li>
 * <li>Read-only: the tmpfs is mounted read-only when the appliance starts; {@code Set} fails with
 * {@code Set: ledger: Read-only file system} and changes nothing; remounted read-write, the next call opens the
 * ledger and is recorded, and the chain verifies.</li>
 * </ul>
 */
class LedgerDiskFullIT {
    private static final String NAME = "dev.ovs.test.Ports1";

    private ShortTempDir dir;
    private DbusDaemon bus;
    private Process child;
    private OutputStream childIn;
    private Path mnt;

    @BeforeEach
    void setUp() throws IOException {
        Tools.require("unshare");
        Tools.require("nsenter");
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        mnt = dir.resolve("state");
        Files.createDirectories(mnt);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (child != null) {
                childIn.close(); // the child exits; its mount namespace and tmpfs go with it
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                    child.waitFor(10, TimeUnit.SECONDS);
                }
            }
            assertThat(Cmd.run("findmnt", "-n", "-o", "TARGET", "-T", mnt.toString()).trim())
                    .as("the tmpfs never reached the host's mount table").isNotEqualTo(mnt.toString());
        } finally {
            bus.close();
            dir.close();
        }
    }

    /** Starts the child with a tmpfs of these mount options at {@link #mnt}; returns its view of the tmpfs. */
    private Path startChild(String mountOptions) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        child = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                "mount -t tmpfs -o " + mountOptions + " patchbay-test \"$0\" && exec \"$@\"", mnt.toString(),
                java.toString(), "-cp", System.getProperty("java.class.path"), LedgerOnTmpfsMain.class.getName(),
                bus.address(), mnt.resolve("ledger.jsonl").toString())
                .redirectError(dir.resolve("child.log").toFile()).start();
        childIn = child.getOutputStream();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("child: " + read(dir.resolve("child.log"))).isEqualTo("ready");
        return Path.of("/proc", Long.toString(child.pid()), "root").resolve(mnt.toString().substring(1));
    }

    @Test
    void aFullStateDirectoryRefusesBeforeAnySideEffectAndTheChainVerifiesAfterwards() throws Exception {
        Path state = startChild("size=128k,mode=0700");
        Path ledger = state.resolve("ledger.jsonl");
        assertThat(set("p1", "before")).isEqualTo("");

        Path filler = state.resolve("filler");
        try (OutputStream f = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            for (int i = 0; i < 1024; i++) {
                f.write(block);
            }
            throw new AssertionError("a 128 KiB tmpfs took 4 MiB");
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }
        // the ledger's last page still has room for a few lines: call until one does not fit
        String failure = null;
        int ok = 0;
        for (int i = 0; i < 200 && failure == null; i++) {
            String r = set("p1", "v" + i);
            if (r.isEmpty()) {
                ok++;
            } else {
                failure = r;
            }
        }
        System.out.println("ledger on a full tmpfs: " + ok + " more calls recorded, then: " + failure);
        assertThat(failure).contains("dev.ovs.test.Switch1.Error.Unavailable")
                .contains("Set: ledger: No space left on device");
        assertThat(get("p1")).as("the refused call did not run")
                .isEqualTo("('" + (ok == 0 ? "before" : "v" + (ok - 1)) + "',)");
        assertThat(Files.readString(ledger)).as("only whole lines").endsWith("}\n");
        assertThat(intents(ledger)).as("one intent per call that ran, none for the refused one").isEqualTo(ok + 1);
        assertVerifies(ledger);

        Files.delete(filler);
        assertThat(set("p1", "after")).isEqualTo("");
        assertThat(get("p1")).isEqualTo("('after',)");
        assertThat(intents(ledger)).isEqualTo(ok + 2);
        assertVerifies(ledger);
    }

    @Test
    void aReadOnlyStateDirectoryRefusesBeforeAnySideEffectUntilItIsWritable() throws Exception {
        Path state = startChild("size=128k,mode=0700,ro");
        String ro = set("p1", "ro");
        assertThat(ro).contains("dev.ovs.test.Switch1.Error.Unavailable").contains("Set: ledger: Read-only file system");
        assertThat(get("p1")).as("the refused call did not run").isEqualTo("('one',)");

        Cmd.run("nsenter", "-t", Long.toString(child.pid()), "-m", "--", "mount", "-o", "remount,rw", mnt.toString());
        assertThat(set("p1", "rw")).isEqualTo("");
        assertThat(get("p1")).isEqualTo("('rw',)");
        Path ledger = state.resolve("ledger.jsonl");
        assertThat(intents(ledger)).isEqualTo(1);
        assertVerifies(ledger);
    }

    private static void assertVerifies(Path ledger) throws IOException {
        LedgerStats stats = FileLedger.check(ledger, FileLedger.keyPathFor(ledger));
        assertThat(stats.verified()).as(String.valueOf(stats.problem())).isTrue();
    }

    private static long intents(Path ledger) throws IOException {
        return Files.readAllLines(ledger).stream().filter(l -> l.contains("\"result\":\"intent\"")).count();
    }

    /** Calls {@code Set(port, value)} with gdbus as root: empty on success, else gdbus's error output. */
    private String set(String port, String value) {
        try {
            Cmd.run(List.of("gdbus", "call", "--address", bus.address(), "--dest", NAME, "--object-path",
                    PortsImpl.PATH, "--method", NAME + ".Set", port, value), Duration.ofSeconds(30));
            return "";
        } catch (Cmd.Failed f) {
            return f.stderr().trim();
        }
    }

    private String get(String port) {
        return Cmd.run(List.of("gdbus", "call", "--address", bus.address(), "--dest", NAME, "--object-path",
                PortsImpl.PATH, "--method", NAME + ".Get", port), Duration.ofSeconds(30)).trim();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
