package dev.ovs.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.Leftovers;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Debian package's {@code patchbay.service} under a real systemd (PID 1 of a container of its own, see
 * {@link PackageUnderSystemd}): {@code systemctl start} returns once the appliance answers on the system bus;
 * it does its job under the unit's hardening (a bridge, network namespaces with veth ports from the port agent
 * that forward packets through the userspace datapath, the admin shell); a D-Bus call to
 * {@code org.openvswitch.ovsdb} activates the stopped service (the shipped activation file); {@code kill -9} of
 * the JVM is answered by a restart ({@code Restart=on-failure}); a stopped (SIGSTOP) JVM is restarted by the
 * watchdog ({@code WatchdogSec}); {@code systemctl stop} ends in {@code inactive} with nothing left (no process,
 * no socket, no bus name). {@code systemd-analyze security} rates the unit's exposure at most 3.0 (the score is
 * printed). The tests share one container and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdServiceEndToEndTest {
    private static final String UNIT = PackageUnderSystemd.UNIT;
    private static final Duration RESTART = Duration.ofSeconds(60);
    /** Linux capability numbers (capabilities(7), linux/capability.h), index = bit. */
    private static final List<String> CAPS = List.of("chown", "dac_override", "dac_read_search", "fowner", "fsetid",
            "kill", "setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin",
            "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
            "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
            "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
            "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore");

    private Leftovers before;
    private PackageUnderSystemd pkg;

    @BeforeAll
    void install() throws Exception {
        before = Leftovers.snapshot();
        pkg = PackageUnderSystemd.install();
    }

    @AfterAll
    void remove() {
        try {
            if (pkg != null) {
                pkg.close();
            }
        } finally {
            if (before != null) {
                before.assertNoneSince();
            }
        }
    }

    @Test
    @Order(0)
    void hardeningExposureIsAtMostThree() {
        // systemd-analyze(1) "security": the unit as the running systemd loaded it
        String table = pkg.box.exec("systemd-analyze", "security", "--no-pager", UNIT);
        System.out.println("systemd-analyze security " + UNIT + ":\n" + table);
        Matcher m = Pattern.compile("Overall exposure level for " + Pattern.quote(UNIT) + ": ([0-9]+\\.[0-9]+)")
                .matcher(table);
        assertThat(m.find()).as(table).isTrue();
        double exposure = Double.parseDouble(m.group(1));
        System.out.println("exposure of " + UNIT + ": " + exposure);
        assertThat(exposure).as(table).isLessThanOrEqualTo(3.0);
        // and every setting is one this systemd knows, with a valid value
        String verify = pkg.box.exec("sh", "-c", "systemd-analyze verify " + UNIT + " 2>&1");
        assertThat(verify.lines().filter(l -> l.contains(UNIT) || l.contains("patchbay")).toList()).as(verify).isEmpty();
    }

    @Test
    @Order(1)
    void startReturnsOnceTheApplianceAnswers() throws Exception {
        assertThat(pkg.property("ActiveState")).isEqualTo("inactive");
        pkg.box.systemctl("start", UNIT);
        assertThat(pkg.property("ActiveState")).as(pkg.diagnostics()).isEqualTo("active");
        assertThat(pkg.property("SubState")).isEqualTo("running");
        String type = pkg.property("Type");
        assertThat(type).as("start completes on readiness, not on exec").isIn("dbus", "notify");
        // started means ready: the first call after 'systemctl start' returned is answered, no retry
        assertThat(pkg.ovsdb("ListBridges")).isEqualTo("as 0");
        if (type.equals("notify")) {
            assertThat(pkg.property("StatusText")).as("STATUS= sent with READY=1").isNotBlank();
        }
        long pid = pkg.mainPid();
        assertThat(pkg.box.exec("cat", "/proc/" + pid + "/comm").trim()).as("bin/patchbay execs the JVM, the main process")
                .isEqualTo("java");
        // the JVM runs with exactly the unit's capability bounding set
        Set<String> unitCaps = new TreeSet<>(List.of(pkg.property("CapabilityBoundingSet").split("\\s+")));
        String status = pkg.box.exec("cat", "/proc/" + pid + "/status");
        assertThat(capabilities(status, "CapBnd")).isEqualTo(unitCaps);
        assertThat(unitCaps).containsExactlyInAnyOrder("cap_net_admin", "cap_sys_admin", "cap_sys_ptrace", "cap_chown");
        // Wants=openvswitch-switch.service: Debian's OVS units came up with it
        assertThat(pkg.box.property("ovsdb-server.service", "ActiveState")).isEqualTo("active");
        assertThat(pkg.box.property("ovs-vswitchd.service", "ActiveState")).isEqualTo("active");
    }

    @Test
    @Order(2)
    void doesItsJobUnderTheHardening() throws Exception {
        pkg.ovsdb("CreateBridge", "s", "br-sd");
        // namespaces made after the service started (its own mount namespace) must reach it
        pkg.box.exec("ip", "netns", "add", "ctr1");
        pkg.box.exec("ip", "netns", "add", "ctr2");
        try {
            String p1 = single(pkg.portAgent("CreateContainerInterface", "sssa{sv}", "br-sd", "eth1", "netns:ctr1", "1",
                    "ipaddress", "s", "10.77.0.1/24"));
            String p2 = single(pkg.portAgent("CreateContainerInterface", "sssa{sv}", "br-sd", "eth1", "netns:ctr2", "1",
                    "ipaddress", "s", "10.77.0.2/24"));
            assertThat(pkg.box.exec("ovs-vsctl", "list-ports", "br-sd").lines().toList()).containsExactlyInAnyOrder(p1, p2);
            assertThat(PackageUnderSystemd.strings(pkg.ovsdb("ListBridgePorts", "s", "br-sd")))
                    .containsExactlyInAnyOrder(p1, p2);
            assertThat(pkg.box.exec("ip", "-n", "ctr1", "-br", "addr", "show", "eth1")).contains("10.77.0.1/24");
            // the veths forward packets through the userspace datapath
            pkg.await("ping ctr1 -> ctr2 through br-sd", Duration.ofSeconds(20), () ->
                    pkg.box.status("ip", "netns", "exec", "ctr1", "ping", "-c", "1", "-W", "1", "10.77.0.2") == 0);
            assertThat(PackageUnderSystemd.strings(pkg.portAgent("GetBlockchainStats")).get(0)).contains("\"verified\":true");
            // the admin shell works under the hardening, and every bundle is active
            String lb = pkg.shell("lb");
            List<String> rows = lb.lines().filter(l -> l.matches("\\s*\\d+\\|.*")).toList();
            assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.split("\\|")[1].trim()).as(r).isEqualTo("Active"));

            pkg.portAgent("RemoveContainerInterfaces", "ss", "br-sd", "netns:ctr1");
            pkg.portAgent("RemoveContainerInterfaces", "ss", "br-sd", "netns:ctr2");
            assertThat(pkg.box.exec("ovs-vsctl", "list-ports", "br-sd")).isBlank();
            assertThat(pkg.box.exec("ip", "-o", "link", "show", "type", "veth")).as("host-side veths removed").isBlank();
        } finally {
            pkg.box.status("ip", "netns", "delete", "ctr1");
            pkg.box.status("ip", "netns", "delete", "ctr2");
        }
        pkg.ovsdb("DeleteBridge", "s", "br-sd");
        assertThat(pkg.ovsdb("ListBridges")).isEqualTo("as 0");
    }

    @Test
    @Order(3)
    void aCallToTheBusNameActivatesTheStoppedService() throws Exception {
        pkg.box.systemctl("stop", UNIT);
        assertThat(pkg.property("ActiveState")).as(pkg.diagnostics()).isEqualTo("inactive");
        assertThat(pkg.nameHasOwner(PackageUnderSystemd.OVSDB)).isFalse();
        String restarts = pkg.property("NRestarts");

        // dbus-daemon asks systemd for SystemdService=patchbay.service and queues the call until the name is owned;
        // the name is taken only once the replica synced (condition dev.ovs.ovsdb.synced), so the queued call, a
        // mutating one, is carried out, not answered Unavailable
        assertThat(pkg.ovsdb("CreateBridge", "s", "br-act")).isEmpty();
        assertThat(pkg.box.exec("ovs-vsctl", "list-br").lines().toList()).containsExactly("br-act");
        assertThat(pkg.ovsdb("ListBridges")).isEqualTo("as 1 \"br-act\"");
        pkg.ovsdb("DeleteBridge", "s", "br-act");
        assertThat(pkg.ovsdb("ListBridges")).isEqualTo("as 0");
        // Type=notify: the name is owned (and the call answered) before READY=1, which follows once the admin shell
        // answers too; until then systemd says "activating"
        long until = System.nanoTime() + 60_000_000_000L;
        while (!pkg.property("ActiveState").equals("active") && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertThat(pkg.property("ActiveState")).isEqualTo("active");
        assertThat(pkg.property("NRestarts")).as("activated, not restarted").isEqualTo(restarts);
        assertThat(pkg.box.journal("dbus.service", 50)).contains("Activating via systemd: service name='"
                + PackageUnderSystemd.OVSDB + "' unit='" + UNIT + "'");
    }

    @Test
    @Order(4)
    void aKilledJvmIsRestarted() throws Exception {
        long pid = pkg.mainPid();
        int restarts = Integer.parseInt(pkg.property("NRestarts"));
        assertThat(pid).isPositive();
        pkg.box.exec("kill", "-9", Long.toString(pid));
        pkg.await("restart after kill -9", RESTART, () -> restarted(pid, restarts));
        assertThat(pkg.box.status("test", "-e", "/proc/" + pid)).as("killed JVM gone").isEqualTo(1);
        assertThat(pkg.ovsdb("ListBridges")).isEqualTo("as 0");
    }

    @Test
    @Order(5)
    void aHungJvmIsRestartedByTheWatchdog() throws Exception {
        String watchdog = pkg.property("WatchdogUSec");
        assertThat(watchdog).as("the unit sets WatchdogSec= (and the JVM sends WATCHDOG=1)").isNotIn("0", "infinity", "");
        long pid = pkg.mainPid();
        int restarts = Integer.parseInt(pkg.property("NRestarts"));
        pkg.box.exec("kill", "-STOP", Long.toString(pid));
        try {
            pkg.await("watchdog restart of the stopped JVM (WatchdogSec=" + watchdog + ")", RESTART.plusMinutes(1),
                    () -> restarted(pid, restarts));
        } finally {
            pkg.box.status("kill", "-CONT", Long.toString(pid));
        }
        assertThat(pkg.box.journal(UNIT, 200)).contains("Watchdog timeout");
        assertThat(pkg.ovsdb("ListBridges")).isEqualTo("as 0");
    }

    @Test
    @Order(6)
    void stopLeavesNothing() throws Exception {
        assertThat(pkg.property("ActiveState")).isEqualTo("active");
        pkg.box.systemctl("stop", UNIT);
        assertThat(pkg.property("ActiveState")).as("a clean stop is not a failure" + pkg.diagnostics())
                .isEqualTo("inactive");
        assertThat(pkg.property("Result")).isEqualTo("success");
        assertThat(pkg.mainPid()).isZero();
        assertThat(pkg.box.status("pgrep", "-x", "java")).as("no JVM left in the container").isEqualTo(1);
        assertThat(pkg.nameHasOwner(PackageUnderSystemd.OVSDB)).isFalse();
        assertThat(pkg.nameHasOwner("dev.ovs.PortAgent1")).isFalse();
        // /run is the container's own tmpfs: looked at from inside (the host path below root() is the overlay, whose
        // /run shows the host's)
        assertThat(pkg.box.status("test", "-e", "/run/patchbay/bus.sock")).as("bus socket left in the container's /run")
                .isEqualTo(1);
        assertThat(pkg.box.path("/var/lib/patchbay/admin.sock")).doesNotExist();
        assertThat(pkg.box.exec("ss", "-xlnH").lines().filter(l -> l.contains("patchbay")).toList())
                .as("listening Unix sockets of Patchbay").isEmpty();
    }

    private boolean restarted(long oldPid, int oldRestarts) {
        try {
            long now = pkg.mainPid();
            return now > 0 && now != oldPid && pkg.property("ActiveState").equals("active")
                    && Integer.parseInt(pkg.property("NRestarts")) == oldRestarts + 1;
        } catch (Cmd.Failed e) {
            return false;
        }
    }

    private static String single(String reply) {
        List<String> s = PackageUnderSystemd.strings(reply);
        assertThat(s).as(reply).hasSize(1);
        return s.get(0);
    }

    /** Capability names ({@code cap_*}) of a {@code CapXxx:} hex line of /proc/PID/status. */
    static Set<String> capabilities(String status, String field) {
        String hex = status.lines().filter(l -> l.startsWith(field + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + field + " in " + status)).split("\\s+")[1];
        long mask = Long.parseUnsignedLong(hex, 16);
        Set<String> out = new TreeSet<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((mask & (1L << bit)) != 0) {
                out.add(bit < CAPS.size() ? "cap_" + CAPS.get(bit) : "cap_" + bit);
            }
        }
        return out;
    }
}
