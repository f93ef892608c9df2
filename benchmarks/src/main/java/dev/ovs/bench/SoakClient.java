package dev.ovs.bench;

import java.io.FileWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;

/**
 * The separate client process of the soak suite: {@code SoakClient ADDRESS BRIDGE LOG STOPFILE}. Two threads, each
 * with its own D-Bus connection, loop blocking calls until STOPFILE exists: {@code ovsdb} =
 * {@code org.openvswitch.ovsdb.BridgeExists(BRIDGE)} (a right answer is {@code true}) and {@code ports} =
 * {@code dev.ovs.PortAgent1.ListPorts} (a right answer equals the first answer seen). Writes a timestamped log
 * (epoch microseconds, the same clock as the bench process) with one line per event:
 * <ul>
 * <li>{@code R op t} — first success (ready)</li>
 * <li>{@code F op tStart tEnd errorName message} — a failed call</li>
 * <li>{@code S op tStart tEnd} — the first success after one or more failed calls</li>
 * <li>{@code W op tStart tEnd answer} — a wrong answer</li>
 * <li>{@code E op calls failed wrong} — totals at the end</li>
 * </ul>
 */
public final class SoakClient {
    private SoakClient() {
    }

    /**
     * @param args address, bridge, log file, stop file
     * @throws Exception when the connections cannot be made
     */
    public static void main(String[] args) throws Exception {
        String address = args[0];
        String bridge = args[1];
        Path stop = Path.of(args[3]);
        try (PrintWriter log = new PrintWriter(new FileWriter(args[2]), true);
             DBusConnection c1 = DBusConnectionBuilder.forAddress(address).withShared(false).build();
             DBusConnection c2 = DBusConnectionBuilder.forAddress(address).withShared(false).build()) {
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> loop("ovsdb", () -> call(c1, "org.openvswitch.ovsdb", "/org/openvswitch/ovsdb",
                    "org.openvswitch.ovsdb", "BridgeExists", "s", bridge), Boolean.TRUE, log, stop)));
            threads.add(new Thread(() -> loop("ports", () -> call(c2, "dev.ovs.PortAgent1", "/dev/ovs/PortAgent1",
                    "dev.ovs.PortAgent1", "ListPorts", null), null, log, stop)));
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
        }
        System.exit(0);
    }

    static long nowMicros() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    /** A D-Bus error reply: its name and message. */
    static final class NamedError extends Exception {
        private static final long serialVersionUID = 1L;
        final String name;

        NamedError(String name, String message) {
            super(message);
            this.name = name;
        }
    }

    /**
     * One blocking method call on the message level, so that an error reply keeps its name (dbus-java 5.2.0 gives a
     * proxy's caller a nameless {@code DBusExecutionException} unless a class named like the error is on its class
     * path).
     *
     * @return the first out argument (arrays as lists), or null for none
     * @throws NamedError for an error reply ({@code org.freedesktop.DBus.Error.NoReply} when none came in time)
     */
    static Object call(DBusConnection c, String dest, String path, String iface, String member, String sig,
            Object... args) throws Exception {
        MethodCall m = c.getMessageFactory().createMethodCall(dest, path, iface, member, (byte) 0, sig, args);
        c.sendMessage(m);
        Message reply = m.getReply();
        if (reply == null) {
            throw new NamedError("org.freedesktop.DBus.Error.NoReply", "no reply");
        }
        Object[] out = reply.getParameters();
        if (reply instanceof org.freedesktop.dbus.messages.Error) {
            throw new NamedError(reply.getName(), out.length == 0 ? "" : String.valueOf(out[0]));
        }
        Object v = out.length == 0 ? null : out[0];
        return v instanceof Object[] a ? Arrays.asList(a) : v;
    }

    private static void loop(String op, Callable<Object> call, Object expected, PrintWriter log, Path stop) {
        long calls = 0;
        long failed = 0;
        long wrong = 0;
        boolean failing = false;
        Object right = expected;
        boolean ready = false;
        while (calls % 64 != 0 || !Files.exists(stop)) {
            long t0 = nowMicros();
            Object answer;
            try {
                answer = call.call();
            } catch (Exception e) {
                long t1 = nowMicros();
                calls++;
                failed++;
                failing = true;
                String name = e instanceof NamedError n ? n.name : e.getClass().getName();
                String msg = String.valueOf(e.getMessage()).replace('\n', ' ');
                log.printf("F %s %d %d %s %s%n", op, t0, t1, name, msg);
                continue;
            }
            long t1 = nowMicros();
            calls++;
            if (right == null) {
                right = answer;
            }
            if (!ready) {
                ready = true;
                log.printf("R %s %d%n", op, t1);
            }
            if (!Objects.equals(right, answer)) {
                wrong++;
                log.printf("W %s %d %d %s%n", op, t0, t1, answer);
            } else if (failing) {
                log.printf("S %s %d %d%n", op, t0, t1);
            }
            failing = false;
        }
        log.printf("E %s %d %d %d%n", op, calls, failed, wrong);
    }
}
