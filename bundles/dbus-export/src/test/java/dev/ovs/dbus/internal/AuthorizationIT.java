package dev.ovs.dbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.base.DomainException;
import dev.ovs.base.ErrorKind;
import dev.ovs.dbus.DbusCall;
import dev.ovs.dbus.ExportStatus.State;
import dev.ovs.dbus.internal.ledger.FileLedger;
import dev.ovs.dbus.ledger.LedgerEntry;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.DbusDaemon;
import dev.ovs.itests.harness.Setpriv;
import dev.ovs.itests.harness.ShortTempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The built-in authorization and the ledger of the whiteboard exporter, on a real dbus-daemon whose policy lets
 * everybody call everything (so only Patchbay's own check stands), with a third-party-style export that has no
 * authorization code of its own: busctl run as uid 65534 (setpriv) may call the read-only members and is refused
 * the mutating one with AccessDenied naming member and uid, nothing recorded; the same uid with the configured
 * group among its supplementary groups may; root may. Every permitted mutating call is in the ledger as intent and
 * outcome with the caller's uid and pid from the bus daemon, and the member sees the same call as
 * {@code currentCall()}. The credentials of a caller that left are dropped from the cache.
 */
class AuthorizationIT {
    /** A group that exists only in this test's group file. */
    private static final String GROUP = "pbtest";
    private static final long GID = 64123;
    private static final String NAME = "dev.ovs.test.Ports1";
    private static final String IFACE = "dev.ovs.test.Ports1";

    private ShortTempDir dir;
    private DbusDaemon bus;
    private FileLedger ledger;
    private DbusConnectionComponent dbus;
    private final AtomicReference<DbusCall> seen = new AtomicReference<>();

    /** A third-party export: no authorization code, remembers the call its Set served. */
    final class Ports extends PortsImpl {
        @Override
        public void Set(String port, String value) {
            seen.set(dbus.currentCall().orElse(null));
            if (port.equals("missing")) {
                throw new DomainException(ErrorKind.NotFound, "no port missing", null);
            }
            ports.put(port, value);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        dir = ShortTempDir.create();
        bus = DbusDaemon.start(dir.path());
        Path groups = dir.resolve("group");
        Files.writeString(groups, "root:x:0:\n" + GROUP + ":x:" + GID + ":\n");
        ledger = FileLedger.open(dir.resolve("state/ledger.jsonl"), true, Clock.systemUTC());
        dbus = new DbusConnectionComponent(bus.address());
        dbus.setLedger(ledger);
        dbus.addAuthorizer(new UidAuthorizer(GROUP, groups));
        assertThat(dbus.export(new Ports(), PortsImpl.PATH, NAME).state()).isEqualTo(State.EXPORTED);
    }

    @AfterEach
    void tearDown() {
        if (dbus != null) {
            dbus.close();
        }
        if (ledger != null) {
            ledger.close();
        }
        if (bus != null) {
            bus.close();
        }
        dir.close();
    }

    private String busctl(List<String> setpriv, String member, String... args) {
        return bus.busctlAs(setpriv, DbusDaemon.call(NAME, PortsImpl.PATH, IFACE, member, args));
    }

    private static final List<String> NOBODY = Setpriv.nobody();
    private static final List<String> NOBODY_IN_GROUP = Setpriv.nobodyInGroup(GID);

    private Cmd.Failed fails(List<String> setpriv, String member, String... args) {
        try {
            busctl(setpriv, member, args);
        } catch (Cmd.Failed f) {
            return f;
        }
        throw new AssertionError("expected busctl " + String.join(" ", args) + " to fail");
    }

    private static Cmd.Failed assertFails(List<String> argv) {
        try {
            Cmd.run(argv, Duration.ofSeconds(30));
        } catch (Cmd.Failed f) {
            return f;
        }
        throw new AssertionError("expected " + argv + " to fail");
    }

    @Test
    void readOnlyForEverybodyMutatingForRootOwnUidAndGroupOnly() {
        assertThat(busctl(NOBODY, "ListPorts")).isEqualTo("as 1 \"p1\"");
        assertThat(busctl(NOBODY, "Get", "s", "p1")).isEqualTo("s \"one\"");
        long before = ledger.stats().height();

        Cmd.Failed denied = fails(NOBODY, "Set", "ss", "p1", "evil");
        assertThat(denied.stderr()).contains("Access denied");
        // gdbus prints the error's name and message (busctl only the name's description)
        List<String> gdbus = new ArrayList<>(NOBODY);
        gdbus.addAll(List.of("gdbus", "call", "--address", bus.address(), "--dest", NAME, "--object-path",
                PortsImpl.PATH, "--method", IFACE + ".Set", "p1", "evil"));
        Cmd.Failed named = assertFails(gdbus);
        assertThat(named.stderr()).contains("org.freedesktop.DBus.Error.AccessDenied: dev.ovs.test.Ports1.Set: not"
                + " permitted for uid 65534 (:1.");
        assertThat(busctl(NOBODY, "Get", "s", "p1")).as("nothing changed").isEqualTo("s \"one\"");
        assertThat(ledger.stats().height()).as("a refused call is not recorded").isEqualTo(before);
        assertThat(seen.get()).as("the member did not run").isNull();

        busctl(NOBODY_IN_GROUP, "Set", "ss", "p1", "two");
        assertThat(busctl(NOBODY, "Get", "s", "p1")).isEqualTo("s \"two\"");
        DbusCall call = seen.get();
        assertThat(call.uid()).isEqualTo(65534);
        assertThat(call.pid()).isPositive();
        assertThat(call.groups()).contains(GID);
        assertThat(call.member()).isEqualTo("Set");
        assertThat(call.readOnly()).isFalse();

        busctl(List.of(), "Set", "ss", "p1", "three"); // root
        assertThat(seen.get().uid()).isZero();
        assertThat(busctl(NOBODY, "Get", "s", "p1")).isEqualTo("s \"three\"");
    }

    @Test
    void observersHearEveryCallWithItsErrorNameAndDuration() {
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.ovs.dbus.DbusCallObserver o = (call, error, nanos) -> heard.add(call.interfaceName() + "." + call.member()
                + " " + (error == null ? "ok" : error) + (nanos > 0 ? "" : " no time"));
        dbus.addObserver(o);
        busctl(NOBODY, "ListPorts");
        fails(NOBODY, "Set", "ss", "p1", "two"); // refused by the authorizer
        fails(List.of(), "Set", "ss", "missing", "x"); // the member throws NotFound
        // busctl returns once the reply is read; the observer ran before the reply was sent
        assertThat(heard).containsExactly(IFACE + ".ListPorts ok",
                IFACE + ".Set org.freedesktop.DBus.Error.AccessDenied", IFACE + ".Set dev.ovs.test.Switch1.Error.NotFound");
        dbus.removeObserver(o);
        busctl(NOBODY, "ListPorts");
        assertThat(heard).hasSize(3);
    }

    @Test
    void everyPermittedMutatingCallIsRecordedAsIntentAndOutcome() {
        long before = ledger.stats().height();
        busctl(NOBODY_IN_GROUP, "Set", "ss", "p1", "two");
        Cmd.Failed f = fails(List.of(), "Set", "ss", "missing", "x");
        assertThat(f.stderr()).contains("no port missing");
        busctl(NOBODY, "ListPorts"); // read-only: not recorded

        List<LedgerEntry> t = ledger.tail(4);
        assertThat(ledger.stats().height()).isEqualTo(before + 4);
        LedgerEntry intent = t.get(0);
        assertThat(intent.operation()).isEqualTo("dev.ovs.test.Ports1.Set");
        assertThat(intent.isIntent()).isTrue();
        assertThat(intent.caller()).matches("dbus::1\\.\\d+ uid=65534 pid=\\d+");
        assertThat(new TreeMap<>(intent.args())).containsExactly(Map.entry("arg0", "p1"), Map.entry("arg1", "two"));
        assertThat(t.get(1).of()).isEqualTo(intent.seq());
        assertThat(t.get(1).result()).isEqualTo("ok");
        assertThat(t.get(2).caller()).matches("dbus::1\\.\\d+ uid=0 pid=\\d+");
        assertThat(t.get(3).of()).isEqualTo(t.get(2).seq());
        assertThat(t.get(3).result()).isEqualTo("error: dev.ovs.test.Switch1.Error.NotFound: Set: no port missing");
        assertThat(ledger.verify().verified()).isTrue();
    }

    /**
     * A {@code @RecordedByService} member: the implementation's own record is the only one (the exporter writes
     * nothing), with the caller it sees as {@code currentCall()}; authorization is that of any mutating member.
     */
    @Test
    void aMemberRecordedByItsServiceIsRecordedOnce() {
        String path = "/dev/ovs/test/SelfRecorded1";
        String iface = "dev.ovs.test.SelfRecorded1";
        TestSelfRecorded self = new TestSelfRecorded() {
            @Override
            public void Own(String value) {
                String caller = dbus.currentCall().orElseThrow().callerText();
                ledger.begin(caller, "test.own", Map.of("value", value)).succeeded(value);
            }

            @Override
            public void Plain(String value) {
            }

            @Override
            public String getObjectPath() {
                return path;
            }
        };
        assertThat(dbus.export(self, path, null).state()).isEqualTo(State.EXPORTED);
        long before = ledger.stats().height();

        bus.busctlAs(NOBODY_IN_GROUP, DbusDaemon.call(NAME, path, iface, "Own", "s", "v1"));
        List<LedgerEntry> t = ledger.tail(2);
        assertThat(ledger.stats().height()).as("one intent, one outcome").isEqualTo(before + 2);
        assertThat(t.get(0).operation()).isEqualTo("test.own");
        assertThat(t.get(0).caller()).matches("dbus::1\\.\\d+ uid=65534 pid=\\d+");
        assertThat(t.get(1).result()).isEqualTo("ok: v1");

        bus.busctlAs(NOBODY_IN_GROUP, DbusDaemon.call(NAME, path, iface, "Plain", "s", "v2"));
        assertThat(ledger.stats().height()).as("an unmarked member: the exporter's record").isEqualTo(before + 4);
        assertThat(ledger.tail(2).get(0).operation()).isEqualTo(iface + ".Plain");

        try {
            bus.busctlAs(NOBODY, DbusDaemon.call(NAME, path, iface, "Own", "s", "v3"));
            throw new AssertionError("expected Own to be refused to uid 65534 outside the group");
        } catch (Cmd.Failed denied) {
            assertThat(denied.stderr()).contains("Access denied");
        }
        assertThat(ledger.stats().height()).as("still mutating: refused, nothing recorded").isEqualTo(before + 4);
        assertThat(ledger.verify().verified()).isTrue();
    }

    @Test
    void credentialsOfACallerThatLeftAreDropped() throws Exception {
        String name;
        try (DBusConnection client = DBusConnectionBuilder.forAddress(bus.address()).withShared(false).build()) {
            name = client.getUniqueName();
            client.getRemoteObject(NAME, PortsImpl.PATH, TestPorts.class).Set("p1", "two");
            assertThat(dbus.callers().cached(name)).as("asked once, kept").hasValueSatisfying(c ->
                    assertThat(c.uid()).isZero());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (dbus.callers().cached(name).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(dbus.callers().cached(name)).as("the client left: NameOwnerChanged dropped it").isEmpty();
    }
}
