package dev.ovs.netstate.internal;

import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.networkd.internal.NetworkdComponent;
import dev.ovs.networkd.internal.NetworkdForTests;
import dev.ovs.portagent.PortAgent;
import dev.ovs.portagent.internal.PortAgentImpl;
import dev.ovs.portagent.internal.docker.ContainerResolver;
import dev.ovs.portagent.internal.docker.DockerClient;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.portagent.netlink.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A JVM that dies (Runtime.halt: no shutdown hooks, no cleanup, like SIGKILL) at one named step of an apply
 * or a rollback. Arguments: OVSDB remote, journal directory, document file, confirm seconds, mode
 * ({@code apply} or {@code rollback}), step, then optionally {@code ports=NETNS-FILE,LEDGER} (a port agent of its
 * own: the bridges' network namespace file, a ledger file) and {@code networkd=DIR,DBUS-ADDRESS} (the networkd
 * bundle's component on networkd's network directory and bus). Exit 137 when it died at the step, 0 when it never
 * got there.
 */
public final class CrashMain {
    private CrashMain() {
    }

    /**
     * Runs this class in a new JVM (this class path) and waits for it.
     *
     * @param args the arguments of {@link #main}
     * @param log  file for its standard output and error
     * @return its exit status (137: died at the step)
     * @throws Exception if it cannot be started, or does not finish within 120 s (then it is killed)
     */
    static int runChild(List<String> args, Path log) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), CrashMain.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child did not finish");
        }
        return p.exitValue();
    }

    /**
     * @param args see class comment
     * @throws Exception on failure (exit 1)
     */
    public static void main(String[] args) throws Exception {
        String remote = args[0];
        Path journal = Path.of(args[1]);
        String doc = Files.readString(Path.of(args[2]));
        long confirm = Long.parseLong(args[3]);
        String mode = args[4];
        String step = args[5];
        OvsdbClient c = dev.ovs.ovsdb.rpc.OvsdbClients.connect(ClientOptions.of(remote));
        VSwitch vs = dev.ovs.ovsdb.vswitch.impl.VSwitches.create(c, true, 20000, "netdev");
        if (!vs.replica().awaitSynced(Duration.ofSeconds(20))) {
            throw new IllegalStateException("not synced");
        }
        PortAgent agent = null;
        NetworkdComponent networkd = null;
        for (int i = 6; i < args.length; i++) {
            String[] kv = args[i].split("=", 2)[1].split(",", 2);
            if (args[i].startsWith("ports=")) {
                agent = new PortAgentImpl(() -> vs, new ContainerResolver(new DockerClient(Path.of(kv[1] + ".no-docker.sock"),
                        Duration.ofSeconds(2))), FileLedger.open(Path.of(kv[1]), false, Clock.systemUTC()), NetNamespace.ofPath(Path.of(kv[0])),
                        PortAgentImpl.Faults.NONE);
            } else if (args[i].startsWith("networkd=")) {
                networkd = NetworkdForTests.start(kv[0], kv[1]);
            }
        }
        PortAgent ports = agent;
        NetworkdComponent nd = networkd;
        NetStateEngine e = new NetStateEngine(() -> vs, () -> ports, () -> nd, () -> nd, new Journal(journal),
                new NetStateEngine.Settings("netdev", 20000, 100), Clock.systemUTC(), null);
        if (mode.equals("apply")) {
            e.faultHook(s -> {
                if (s.equals(step)) {
                    Runtime.getRuntime().halt(137);
                }
            });
            e.apply(doc, confirm, "crash-test");
            if (step.equals("pending")) {
                Runtime.getRuntime().halt(137);
            }
        } else {
            e.apply(doc, confirm, "crash-test");
            e.faultHook(s -> {
                if (s.equals(step)) {
                    Runtime.getRuntime().halt(137);
                }
            });
            e.rollback(null, "crash-test");
        }
        System.exit(0);
    }
}
