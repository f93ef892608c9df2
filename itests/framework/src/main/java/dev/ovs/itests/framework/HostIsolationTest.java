package dev.ovs.itests.framework;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovs.dbus.DbusConnectionService;
import dev.ovs.ovsdb.OvsdbClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;

/**
 * The in-framework runtime starts pointed at nothing on the host: test.bndrun's fileinstall puts
 * {@code itests/framework/etc/*.cfg} into ConfigAdmin before the Patchbay bundles start, so the very first
 * {@code dev.ovs.dbus} connection, OVSDB client and bus core are registered with a D-Bus address and an OVSDB
 * remote under {@code patchbay.itest.nohost} (which does not exist) and no bus socket, as the
 * {@link HostIsolation} watcher recorded from start level 2; nothing since pointed at the host, and the live
 * components report the configuration their services carry.
 */
@ExtendWith(HostIsolation.Check.class)
class HostIsolationTest {
    @InjectBundleContext
    BundleContext context;

    @Test
    void theComponentsStartPointedAtNothingOnTheHost() {
        String nohost = context.getProperty("patchbay.itest.nohost");
        assertThat(nohost).as("framework property patchbay.itest.nohost").isNotBlank();
        assertThat(Path.of(nohost)).isAbsolute();
        assertThat(Files.exists(Path.of(nohost))).as(nohost + " exists").isFalse();

        HostIsolation.Log log = HostIsolation.log(context);
        List<HostIsolation.Seen> seen = log.seen();
        assertThat(first(seen, HostIsolation.DBUS)).as("first dev.ovs.dbus connection registered")
                .isEqualTo(new HostIsolation.Seen(HostIsolation.DBUS, "REGISTERED", "address",
                        "unix:path=" + nohost + "/dbus.sock", null));
        assertThat(first(seen, HostIsolation.OVSDB)).as("first OVSDB client registered")
                .isEqualTo(new HostIsolation.Seen(HostIsolation.OVSDB, "REGISTERED", "remote",
                        "unix:" + nohost + "/db.sock", null));
        assertThat(first(seen, HostIsolation.BUS)).as("first bus core registered")
                .isEqualTo(new HostIsolation.Seen(HostIsolation.BUS, "REGISTERED", "socket", "", null));
        assertThat(log.violations()).as("everything recorded: " + seen).isEmpty();
    }

    @Test
    void theLiveComponentsUseTheConfigurationTheirServicesCarry() {
        DbusConnectionService dbus = Frameworks.await(context, DbusConnectionService.class,
                java.time.Duration.ofSeconds(20));
        ServiceReference<DbusConnectionService> dref = context.getServiceReference(DbusConnectionService.class);
        assertThat(dbus.address()).isEqualTo(dref.getProperty("address"));
        assertThat(HostIsolation.violation("address", dbus.address())).as(dbus.address()).isNull();

        OvsdbClient ovsdb = Frameworks.await(context, OvsdbClient.class, java.time.Duration.ofSeconds(20));
        ServiceReference<OvsdbClient> oref = context.getServiceReference(OvsdbClient.class);
        String remotes = String.join(",", ovsdb.options().remotes());
        assertThat(ovsdb.options().remotes()).isEqualTo(java.util.Arrays.stream(
                String.valueOf(oref.getProperty("remote")).split(",")).map(String::strip).toList());
        assertThat(HostIsolation.violation("remote", remotes)).as(remotes).isNull();
    }

    @Test
    void theWatcherRecognisesEveryHostDefault() {
        assertThat(HostIsolation.violation("address", null)).isNotNull();
        assertThat(HostIsolation.violation("address", "system")).isNotNull();
        assertThat(HostIsolation.violation("address", "session")).isNotNull();
        assertThat(HostIsolation.violation("address", "unix:path=/var/run/dbus/system_bus_socket")).isNotNull();
        assertThat(HostIsolation.violation("address", "unix:path=/run/dbus/system_bus_socket")).isNotNull();
        assertThat(HostIsolation.violation("remote", null)).isNotNull();
        assertThat(HostIsolation.violation("remote", "unix:/var/run/openvswitch/db.sock")).isNotNull();
        assertThat(HostIsolation.violation("remote", "unix:/tmp/pbt-1/db.sock,unix:/run/openvswitch/db.sock"))
                .isNotNull();
        assertThat(HostIsolation.violation("socket", "/run/patchbay/bus.sock")).isNotNull();

        assertThat(HostIsolation.violation("address", "unix:path=/tmp/pbt-1/dbus/bus.sock")).isNull();
        assertThat(HostIsolation.violation("address", "unix:path=/nonexistent")).isNull();
        assertThat(HostIsolation.violation("remote", "unix:/tmp/pbt-1/ovs/db.sock")).isNull();
        assertThat(HostIsolation.violation("socket", null)).isNull();
        assertThat(HostIsolation.violation("socket", "")).isNull();
    }

    private static HostIsolation.Seen first(List<HostIsolation.Seen> seen, String service) {
        return seen.stream().filter(s -> s.service().equals(service)).findFirst().orElse(null);
    }
}
