package dev.ovs.ovsdb.vswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Netns;
import dev.ovs.itests.harness.Ovs;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.OvsdbClient;
import dev.ovs.ovsdb.OvsdbException;
import dev.ovs.ovsdb.Replica;
import dev.ovs.ovsdb.vswitch.impl.VSwitchImpl;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The wait for ovs-vswitchd (next_cfg/cur_cfg) against a real ovsdb-server + ovs-vswitchd (userspace datapath,
 * private namespace): it is woken by the replica's monitor update of {@code Open_vSwitch.cur_cfg} (no polling),
 * so every call returns with ovs-vswitchd's cur_cfg caught up; with ovs-vswitchd frozen (SIGSTOP) the call
 * times out with the Timeout error, concurrent waiters all wake once it resumes (SIGCONT), an interrupted
 * waiter fails with Failed and keeps its interrupt flag. Also {@link VSwitch#create(OvsdbClient, boolean, long,
 * String)}'s default datapath type.
 */
class VswitchdWaitIT {

    private static long pid(Path dir) throws Exception {
        return Long.parseLong(Files.readString(dir.resolve("ovs-vswitchd.pid")).trim());
    }

    private static void signal(long pid, String sig) {
        Cmd.run(List.of("kill", "-" + sig, Long.toString(pid)), Duration.ofSeconds(10));
    }

    private static long cfg(Ovs ovs, String column) {
        return Long.parseLong(ovs.vsctl("--no-wait", "get", "Open_vSwitch", ".", column).trim());
    }

    @Test
    void everyCallReturnsWithCurCfgCaughtUpAndNetdevDefault() {
        try (Netns ns = Netns.create(); ShortTempDir dir = ShortTempDir.create(); Ovs ovs = Ovs.start(ns, dir.path());
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()))) {
            VSwitch vs = VSwitches.create(c, true, 20000, "netdev");
            assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
            // liveness, not speed: a waiter that nobody wakes would sit out the whole 20 s timeout and only then
            // find cur_cfg caught up, so each call must return well before it
            long half = TimeUnit.SECONDS.toNanos(10);
            long t0 = System.nanoTime();
            vs.addBridge("cbr0", null, false);
            assertThat(System.nanoTime() - t0).as("add-br woken before its timeout").isLessThan(half);
            assertThat(ovs.vsctl("get", "Bridge", "cbr0", "datapath_type").trim()).isEqualTo("netdev");
            assertThat(cfg(ovs, "cur_cfg")).isEqualTo(cfg(ovs, "next_cfg"));
            for (int i = 0; i < 15; i++) {
                t0 = System.nanoTime();
                vs.addPort("cbr0", "cp" + i, PortOptions.NONE.withInterfaceType("internal"), false);
                assertThat(System.nanoTime() - t0).as("add %d woken before its timeout", i).isLessThan(half);
                // read from the server, not the replica: ovs-vswitchd had applied the change when the call returned
                assertThat(cfg(ovs, "cur_cfg")).as("after add %d", i).isEqualTo(cfg(ovs, "next_cfg"));
                assertThat(vs.iface("cp" + i).orElseThrow().ofport()).isNotNull().isPositive();
                t0 = System.nanoTime();
                vs.deletePort("cbr0", "cp" + i, false);
                assertThat(System.nanoTime() - t0).as("del %d woken before its timeout", i).isLessThan(half);
                assertThat(cfg(ovs, "cur_cfg")).as("after del %d", i).isEqualTo(cfg(ovs, "next_cfg"));
            }
            assertThat(ovs.appctl("dpif/show")).doesNotContain("cp14");
        }
    }

    /** A replica of another implementation: the VSwitch listens through {@link Replica#addListener}. */
    @Test
    void waitsThroughAReplicaListenerForOtherReplicas() {
        try (Netns ns = Netns.create(); ShortTempDir dir = ShortTempDir.create(); Ovs ovs = Ovs.start(ns, dir.path());
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()))) {
            Replica real = c.replica(VSwitch.DB, VSwitches.replicaTables());
            assertThat(real.awaitSynced(Duration.ofSeconds(10))).isTrue();
            Replica wrapped = (Replica) Proxy.newProxyInstance(Replica.class.getClassLoader(), new Class<?>[] {Replica.class},
                    (p, m, a) -> {
                        try {
                            return m.invoke(real, a);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            VSwitch vs = new VSwitchImpl(c, wrapped, true, 20000, "netdev");
            vs.addBridge("lbr0", BridgeOptions.NONE.withDatapathType("netdev"), false);
            long half = TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                vs.addPort("lbr0", "lp" + i, PortOptions.NONE.withInterfaceType("internal"), false);
                assertThat(System.nanoTime() - t0).as("add %d woken before its timeout", i).isLessThan(half);
                assertThat(cfg(ovs, "cur_cfg")).isEqualTo(cfg(ovs, "next_cfg"));
                vs.deletePort("lbr0", "lp" + i, false);
                assertThat(cfg(ovs, "cur_cfg")).isEqualTo(cfg(ovs, "next_cfg"));
            }
        }
    }

    @Test
    void frozenVswitchdTimesOutAndWaitersWakeWhenItResumes() throws Exception {
        try (Netns ns = Netns.create(); ShortTempDir dir = ShortTempDir.create(); Ovs ovs = Ovs.start(ns, dir.path());
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()))) {
            VSwitch quick = VSwitches.create(c, true, 600, "netdev");
            assertThat(quick.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
            VSwitch patient = new VSwitchImpl(c, quick.replica(), true, 60000, "netdev");
            quick.addBridge("fbr0", null, false);
            long pid = pid(dir.path());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            signal(pid, "STOP");
            try {
                assertThatThrownBy(() -> quick.addPort("fbr0", "fp0", PortOptions.NONE.withInterfaceType("internal"), false))
                        .isInstanceOfSatisfying(OvsdbException.class, e -> {
                            assertThat(e.kind()).isEqualTo(ErrorKind.Timeout);
                            assertThat(e.getMessage()).contains("committed but ovs-vswitchd did not apply it")
                                    .contains("600 ms");
                        });
                assertThat(quick.port("fp0")).isPresent(); // committed all the same
                List<Future<?>> waiting = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    String name = "fp" + i;
                    waiting.add(pool.submit(() -> patient.addPort("fbr0", name, PortOptions.NONE.withInterfaceType("internal"), false)));
                }
                // all three committed, none returned: ovs-vswitchd has not applied them
                for (int i = 1; i <= 3; i++) {
                    String name = "fp" + i;
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (patient.port(name).isEmpty() && System.nanoTime() < until) {
                        Thread.sleep(20);
                    }
                    assertThat(patient.port(name)).as(name).isPresent();
                }
                Thread.sleep(300);
                assertThat(waiting).noneMatch(Future::isDone);
                signal(pid, "CONT");
                for (Future<?> f : waiting) {
                    f.get(30, TimeUnit.SECONDS);
                }
                assertThat(cfg(ovs, "cur_cfg")).isEqualTo(cfg(ovs, "next_cfg"));
                assertThat(ovs.appctl("dpif/show")).contains("fp1").contains("fp2").contains("fp3");
            } finally {
                signal(pid, "CONT");
                pool.shutdownNow();
            }
        }
    }

    @Test
    void interruptedWaiterFailsAndKeepsItsInterruptFlag() throws Exception {
        try (Netns ns = Netns.create(); ShortTempDir dir = ShortTempDir.create(); Ovs ovs = Ovs.start(ns, dir.path());
                OvsdbClient c = OvsdbClients.connect(ClientOptions.of(ovs.db().remote()))) {
            VSwitch vs = VSwitches.create(c, true, 60000, "netdev");
            assertThat(vs.replica().awaitSynced(Duration.ofSeconds(10))).isTrue();
            vs.addBridge("ibr0", null, false);
            long pid = pid(dir.path());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CompletableFuture<Boolean> flag = new CompletableFuture<>();
            signal(pid, "STOP");
            try {
                Thread t = new Thread(() -> {
                    try {
                        vs.addPort("ibr0", "ip0", PortOptions.NONE.withInterfaceType("internal"), false);
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                    flag.complete(Thread.currentThread().isInterrupted());
                });
                t.start();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (vs.port("ip0").isEmpty() && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                Thread.sleep(100);
                t.interrupt();
                assertThat(flag.get(20, TimeUnit.SECONDS)).isTrue();
                assertThat(failure.get()).isInstanceOfSatisfying(OvsdbException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.Failed);
                    assertThat(e.getMessage()).contains("interrupted waiting for ovs-vswitchd");
                });
            } finally {
                signal(pid, "CONT");
            }
        }
    }

    @Test
    void createRejectsABadDatapathType() {
        try (OvsdbClient c = OvsdbClients.connect(ClientOptions.of("unix:/nonexistent/db.sock"))) {
            assertThatThrownBy(() -> VSwitches.create(c, true, 1000, "net dev"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultDatapathType");
            assertThatThrownBy(() -> VSwitches.create(c, true, 0, "netdev"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vswitchdTimeoutMillis");
        }
    }
}
