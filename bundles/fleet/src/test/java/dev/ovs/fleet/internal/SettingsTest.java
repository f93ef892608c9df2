package dev.ovs.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    private Settings of(Object... kv) {
        return Settings.of(Configs.of(kv), () -> "0123456789abcdef0123456789abcdef", dir);
    }

    private static void rejects(Runnable r, String argument, String ruleFragment) {
        assertThatThrownBy(r::run).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).argument()).isEqualTo(argument))
                .hasMessageContaining(ruleFragment);
    }

    @Test
    void disabledByDefaultAndNothingElseChecked() {
        Settings s = of("servers", "garbage://");
        assertThat(s.enabled()).isFalse();
    }

    @Test
    void defaults() {
        Settings s = of("enabled", true);
        assertThat(s.servers()).containsExactly("nats://127.0.0.1:4222");
        assertThat(s.hostId()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(s.export()).containsExactly("ovsdb.>", "portagent.>", "network.>", "netstate.>");
        assertThat(s.confirmSeconds()).isEqualTo(30);
        assertThat(s.stateFile()).isEqualTo(dir.resolve("fleet.json"));
        assertThat(s.credentials()).isNull();
        assertThat(s.probeHost()).isNull();
    }

    @Test
    void serversAreCheckedAndNormalised() {
        assertThat(of("enabled", true, "servers", "nats://localhost, tls://127.0.0.2:4443").servers())
                .containsExactly("nats://localhost:4222", "tls://127.0.0.2:4443");
        rejects(() -> of("enabled", true, "servers", "http://127.0.0.1:4222"), "servers", "must start with nats:// or tls://");
        rejects(() -> of("enabled", true, "servers", "nats://:4222"), "servers", "has no host");
        rejects(() -> of("enabled", true, "servers", " , "), "servers", "at least one");
        rejects(() -> of("enabled", true, "servers", "nats://u:p@127.0.0.1"), "servers", ".creds");
        rejects(() -> of("enabled", true, "servers", "nats://127.0.0.1:4222/x"), "servers", "scheme://host[:port] only");
        rejects(() -> of("enabled", true, "servers", "nats://exa mple"), "servers", "is not a URL");
    }

    @Test
    void remoteServerNeedsCredentialsOrInsecure() throws Exception {
        rejects(() -> of("enabled", true, "servers", "nats://hub.example.net:4222"), "servers",
                "set credentials (a .creds file) or insecure=true");
        rejects(() -> of("enabled", true, "servers", "nats://127.0.0.1,nats://10.0.0.1"), "servers", "not a loopback");
        assertThat(of("enabled", true, "servers", "nats://10.0.0.1", "insecure", true).servers())
                .containsExactly("nats://10.0.0.1:4222");
        Path junk = Files.writeString(dir.resolve("x.creds"), "x");
        rejects(() -> of("enabled", true, "credentials", junk.toString()), "credentials", "neither a .creds file");
        Path creds = Files.writeString(dir.resolve("u.creds"), "-----BEGIN USER NKEY SEED-----\n"
                + "SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4\n------END USER NKEY SEED------\n");
        assertThat(of("enabled", true, "servers", "tls://hub.example.net", "credentials", creds.toString()).credentials())
                .isEqualTo(creds);
        rejects(() -> of("enabled", true, "credentials", dir.resolve("missing.creds").toString()), "credentials",
                "does not exist");
        rejects(() -> of("enabled", true, "credentials", "relative.creds"), "credentials", "absolute");
    }

    @Test
    void hostIdRule() {
        assertThat(of("enabled", true, "host_id", "host3").hostId()).isEqualTo("host3");
        rejects(() -> of("enabled", true, "host_id", "host3.example.net"), "host.id", "A-Z, a-z, 0-9");
        rejects(() -> of("enabled", true, "host_id", "a*"), "host.id", "A-Z, a-z, 0-9");
        rejects(() -> Settings.of(Configs.of("enabled", true), () -> null, dir), "host.id", "machine id");
    }

    @Test
    void exportPatternsAreBusPatterns() {
        assertThat(of("enabled", true, "export", "ovsdb.bridge.*.added, system.>").export())
                .containsExactly("ovsdb.bridge.*.added", "system.>");
        rejects(() -> of("enabled", true, "export", "ovsdb.>.x"), "export", "'ovsdb.>.x' is not a bus pattern");
        rejects(() -> of("enabled", true, "export", "ov*"), "export", "not a bus pattern");
    }

    @Test
    void probeAndRanges() {
        Settings s = of("enabled", true, "probe_address", "192.0.2.1:22");
        assertThat(s.probeHost()).isEqualTo("192.0.2.1");
        assertThat(s.probePort()).isEqualTo(22);
        assertThat(of("enabled", true, "probe_address", "[::1]:80").probeHost()).isEqualTo("::1");
        rejects(() -> of("enabled", true, "probe_address", "192.0.2.1"), "probe.address", "host:port");
        rejects(() -> of("enabled", true, "probe_address", "h:99999"), "probe.address", "1..65535");
        rejects(() -> of("enabled", true, "confirm_seconds", 1), "confirm.seconds", "2..3600");
        rejects(() -> of("enabled", true, "queue_size", 0), "queue.size", "1..");
        rejects(() -> of("enabled", true, "state_file", "rel/fleet.json"), "state.file", "absolute");
        rejects(() -> of("enabled", true, "jetstream_domain", "a.b"), "jetstream.domain", "A-Z");
        rejects(() -> of("enabled", true, "tls_ca", dir.resolve("none.pem").toString()), "tls.ca", "does not exist");
    }

    @Test
    void loopbackLiterals() {
        assertThat(dev.ovs.fleet.client.NatsConnect.loopback("127.1.2.3")).isTrue();
        assertThat(dev.ovs.fleet.client.NatsConnect.loopback("[::1]")).isTrue();
        assertThat(dev.ovs.fleet.client.NatsConnect.loopback("localhost")).isTrue();
        assertThat(dev.ovs.fleet.client.NatsConnect.loopback("127.0.0.256")).isFalse();
        assertThat(dev.ovs.fleet.client.NatsConnect.loopback("127.example.net")).isFalse();
        assertThat(dev.ovs.fleet.client.NatsConnect.loopback("10.0.0.1")).isFalse();
    }
}
