package dev.ovs.fleet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.base.ErrorKind;
import dev.ovs.fleet.FleetException;
import dev.ovs.fleet.Report;
import dev.ovs.fleet.ReportStatus;
import dev.ovs.fleet.Subjects;
import dev.ovs.fleet.client.NatsFleetController;
import dev.ovs.fleet.client.ReportJson;
import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.NatsCluster;
import dev.ovs.itests.harness.ShortTempDir;
import dev.ovs.itests.harness.Tools;
import io.nats.client.NKey;
import io.nats.client.api.KeyValueEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TLS ({@code tls://}, a CA from {@code tls.ca}) and NKey credentials against a real nats-server that requires both:
 * the agent applies and reports; without the right CA or credentials it does not connect and says why.
 */
class FleetSecurityIT {
    @Test
    void tlsAndNkeyCredentials() throws Exception {
        Tools.require("openssl");
        try (ShortTempDir tmp = ShortTempDir.create()) {
            Path d = tmp.path();
            // a CA and a server certificate for 127.0.0.1 (openssl(1) req/x509)
            Cmd.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=pbt-ca",
                    "-keyout", d.resolve("ca.key").toString(), "-out", d.resolve("ca.pem").toString());
            Cmd.run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-keyout", d.resolve("server.key").toString(), "-out", d.resolve("server.csr").toString());
            Files.writeString(d.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
            Cmd.run("openssl", "x509", "-req", "-days", "1", "-in", d.resolve("server.csr").toString(),
                    "-CA", d.resolve("ca.pem").toString(), "-CAkey", d.resolve("ca.key").toString(), "-CAcreateserial",
                    "-extfile", d.resolve("san.ext").toString(), "-out", d.resolve("server.pem").toString());
            Cmd.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other-ca",
                    "-keyout", d.resolve("other.key").toString(), "-out", d.resolve("other.pem").toString());
            // an NKey user (https://docs.nats.io/running-a-nats-service/configuration/securing_nats/auth_intro/nkey_auth)
            NKey user = NKey.createUser(new SecureRandom());
            Path seed = Files.writeString(d.resolve("user.nk"), "-----BEGIN USER NKEY SEED-----\n"
                    + new String(user.getSeed()) + "\n------END USER NKEY SEED------\n", StandardCharsets.US_ASCII);
            Path wrongSeed = Files.writeString(d.resolve("wrong.nk"),
                    new String(NKey.createUser(new SecureRandom()).getSeed()) + "\n", StandardCharsets.US_ASCII);
            Path natsDir = Files.createDirectories(d.resolve("nats"));
            String extra = "tls {\n  cert_file: \"" + d.resolve("server.pem") + "\"\n  key_file: \""
                    + d.resolve("server.key") + "\"\n}\nauthorization {\n  users: [ { nkey: \""
                    + new String(user.getPublicKey()) + "\" } ]\n}\n";
            try (NatsCluster nats = NatsCluster.start(natsDir, 1, extra)) {
                String url = "tls://127.0.0.1:" + nats.clientPort(0);
                Path ca = d.resolve("ca.pem");
                // the controller: credentials + CA work; plain nats:// to a TLS-only server, a wrong CA or a wrong key do not
                try (NatsFleetController c = NatsFleetController.connect(List.of(url), seed, ca, false, 1)) {
                    c.bucket(Subjects.DESIRED_BUCKET);
                    c.bucket(Subjects.REPORTED_BUCKET);
                    FakeState st = new FakeState();
                    Settings s = new Settings(true, List.of(url), seed, "sec-1", List.of("ovsdb.>"), false, null, 0, 5,
                            ca, null, 16, 1, d.resolve("sec-1.json"));
                    // the same validation as etc/dev.ovs.fleet.cfg: tls:// with a .nk/.creds file is fine remotely too
                    assertThat(Settings.of(Configs.of("enabled", true, "servers", "tls://hub.example.net",
                            "credentials", seed.toString(), "tls_ca", ca.toString(), "host_id", "sec-1"), () -> null, d)
                            .credentials()).isEqualTo(seed);
                    try (FleetAgent a = new FleetAgent(s, () -> st)) {
                        a.start();
                        long rev = c.bucket(Subjects.DESIRED_BUCKET).put("sec-1", "doc".getBytes(StandardCharsets.UTF_8));
                        long deadline = System.nanoTime() + 60_000_000_000L;
                        Report r = null;
                        while (System.nanoTime() < deadline) {
                            KeyValueEntry e = c.bucket(Subjects.REPORTED_BUCKET).get("sec-1");
                            r = e == null ? null : ReportJson.read(e.getValue());
                            if (r != null && r.revision() == rev && r.status() == ReportStatus.APPLIED) {
                                break;
                            }
                            Thread.sleep(100);
                        }
                        assertThat(r).as("agent status %s", a.status()).isNotNull();
                        assertThat(r.status()).isEqualTo(ReportStatus.APPLIED);
                        assertThat(a.status().server()).startsWith("tls://");
                    }
                }
                assertThatThrownBy(() -> NatsFleetController.connect(List.of(url), seed, d.resolve("other.pem"), false, 1))
                        .isInstanceOf(FleetException.class)
                        .satisfies(e -> assertThat(((FleetException) e).kind()).isEqualTo(ErrorKind.Unavailable));
                assertThatThrownBy(() -> NatsFleetController.connect(List.of(url), wrongSeed, ca, false, 1))
                        .isInstanceOf(FleetException.class).hasMessageContaining("cannot connect");
                assertThatThrownBy(() -> NatsFleetController.connect(List.of(url), null, ca, false, 1))
                        .isInstanceOf(FleetException.class);
                // an agent with the wrong CA stays disconnected and says why
                FakeState st = new FakeState();
                Settings bad = new Settings(true, List.of(url), seed, "sec-2", List.of("ovsdb.>"), false, null, 0, 5,
                        d.resolve("other.pem"), null, 16, 1, d.resolve("sec-2.json"));
                try (FleetAgent a = new FleetAgent(bad, () -> st)) {
                    a.start();
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (a.status().lastError().isEmpty() && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    assertThat(a.status().connection()).isEqualTo("-");
                    assertThat(a.status().lastError()).contains("cannot connect to " + url);
                    assertThat(st.applied).isEmpty();
                }
            }
        }
    }
}
