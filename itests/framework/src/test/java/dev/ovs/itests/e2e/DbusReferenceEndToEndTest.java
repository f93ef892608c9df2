package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.framework.Frameworks;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The D-Bus API reference ({@code docs/dbus.md}) says exactly what the running appliance exports: for
 * {@code org.openvswitch.ovsdb} and {@code dev.ovs.PortAgent1}, the member tables of the document equal
 * the methods and signals (names, in and out signatures) that {@code busctl introspect} shows.
 */
class DbusReferenceEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Map<String, String> OBJECTS = Map.of("org.openvswitch.ovsdb", "/org/openvswitch/ovsdb",
            "dev.ovs.PortAgent1", "/dev/ovs/PortAgent1");

    @Test
    void documentedMembersAreExactlyTheIntrospectedOnes() throws Exception {
        Tools.require("busctl");
        Path dist = Path.of(System.getenv().getOrDefault("PATCHBAY_DIST",
                "../../distribution/target/patchbay-0.1.0-SNAPSHOT")).toAbsolutePath().normalize();
        String doc = Files.readString(Path.of("../../docs/dbus.md"));
        Leftovers before = Leftovers.snapshot();
        try (ShortTempDir dir = ShortTempDir.create()) {
            Path sbx = dir.resolve("sbx");
            Process appliance = new ProcessBuilder(dist.resolve("bin/patchbay").toString(), "run", "--sandbox",
                    sbx.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile())
                    .redirectInput(new File("/dev/null")).start();
            try {
                String bus = "--address=unix:path=" + sbx.resolve("run/dbus/bus.sock");
                for (Map.Entry<String, String> o : OBJECTS.entrySet()) {
                    String iface = o.getKey();
                    String[] argv = {"busctl", bus, "introspect", iface, o.getValue(), iface};
                    Frameworks.eventually(iface + " introspectable", WAIT, () -> {
                        try {
                            Cmd.run(argv);
                            return true;
                        } catch (Cmd.Failed e) {
                            return false;
                        }
                    });
                    assertThat(documented(doc, iface)).as("docs/dbus.md section '## " + iface + "' vs busctl introspect")
                            .isEqualTo(introspected(Cmd.run(argv)));
                }
            } finally {
                Launcher.terminate(appliance);
            }
        }
        before.assertNoneSince();
    }

    /** name → "method IN OUT" or "signal SIG" from busctl's table ("-" for an empty signature). */
    private static Map<String, String> introspected(String busctl) {
        Map<String, String> m = new TreeMap<>();
        for (String line : busctl.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].startsWith(".") && (f[1].equals("method") || f[1].equals("signal"))) {
                String name = f[0].substring(1);
                m.put(name, f[1].equals("method") ? "method " + f[2] + " " + f[3] : "signal " + f[2]);
            }
        }
        return m;
    }

    /** The same map from the document's table under {@code ## IFACE}. */
    private static Map<String, String> documented(String doc, String iface) {
        int start = doc.indexOf("\n## " + iface + "\n");
        assertThat(start).as("docs/dbus.md has a section ## " + iface).isNotNegative();
        int end = doc.indexOf("\n## ", start + 4);
        String section = doc.substring(start, end < 0 ? doc.length() : end);
        Map<String, String> m = new TreeMap<>();
        Pattern method = Pattern.compile("^\\| (\\w+) \\| `([^`]*?)\\s*→\\s*([^`]*)`");
        Pattern signal = Pattern.compile("^\\| signal ([\\w /]+?) \\| `([^`]*)`");
        for (String line : section.split("\n")) {
            Matcher s = signal.matcher(line);
            if (s.find()) {
                for (String name : s.group(1).split("/")) {
                    m.put(name.trim(), "signal " + s.group(2).trim());
                }
                continue;
            }
            Matcher mm = method.matcher(line);
            if (mm.find()) {
                String in = mm.group(2).trim();
                String out = mm.group(3).trim();
                m.put(mm.group(1), "method " + (in.isEmpty() ? "-" : in) + " " + (out.equals("()") ? "-" : out));
            }
        }
        return m;
    }
}
