package dev.ovs.netstate.internal;

import dev.ovs.netstate.internal.journal.Journal;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.vswitch.VSwitch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A JVM that dies (Runtime.halt: no shutdown hooks, no cleanup, like SIGKILL) at one named step of an apply
 * or a rollback. Arguments: OVSDB remote, journal directory, document file, confirm seconds, mode
 * ({@code apply} or {@code rollback}), step. Exit 137 when it died at the step, 0 when it never got there.
 */
public final class CrashMain {
    private CrashMain() {
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
        NetStateEngine e = new NetStateEngine(() -> vs, new Journal(journal), new NetStateEngine.Settings("netdev", 20000, 100),
                Clock.systemUTC(), null);
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
