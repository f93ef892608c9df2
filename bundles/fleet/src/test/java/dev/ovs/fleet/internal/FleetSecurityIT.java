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
    private static final String PASS = "pbt-pass";

    /** Runs the JDK's keytool in {@code dir} with the test store password. */
    private static void keytool(Path dir, String... args) {
        List<String> argv = new java.util.ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        argv.addAll(List.of(args));
        argv.addAll(List.of("-storepass", PASS, "-noprompt"));
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.endsWith(".p12") || a.endsWith(".csr") || a.endsWith(".pem")) {
                argv.set(i, dir.resolve(a).toString());
            }
        }
        Cmd.run(argv, java.time.Duration.ofSeconds(60));
    }

    /** A self-signed CA (basicConstraints CA:true) in {@code NAME.p12}; returns its certificate as {@code NAME.pem}. */
    private static Path certificateAuthority(Path dir, String name) {
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=pbt-" + name,
                "-ext", "bc:c", "-validity", "1", "-keystore", name + ".p12", "-storetype", "PKCS12");
        keytool(dir, "-exportcert", "-alias", "ca", "-rfc", "-file", name + ".pem", "-keystore", name + ".p12");
        return dir.resolve(name + ".pem");
    }

    @Test
    void tlsAndNkeyCredentials() throws Exception {
        try (ShortTempDir tmp = ShortTempDir.create()) {
            Path d = tmp.path();
            // a CA and a server certificate for 127.0.0.1, made with the JDK's keytool(1); the key as PKCS#8 PEM
            Path ca = certificateAuthority(d, "ca");
            keytool(d, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                    "-validity", "1", "-keystore", "server.p12");
            keytool(d, "-certreq", "-alias", "server", "-keystore", "server.p12", "-file", "server.csr");
            keytool(d, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "server.csr", "-outfile",
                    "server.pem", "-rfc", "-ext", "san=ip:127.0.0.1", "-validity", "1");
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(d.resolve("server.p12"))) {
                ks.load(in, PASS.toCharArray());
            }
            byte[] key = ks.getKey("server", PASS.toCharArray()).getEncoded();
            Files.writeString(d.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\n"
                    + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key)
                    + "\n-----END PRIVATE KEY-----\n");
            Path otherCa = certificateAuthority(d, "other");
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
                assertThatThrownBy(() -> NatsFleetController.connect(List.of(url), seed, otherCa, false, 1))
                        .isInstanceOf(FleetException.class)
                        .satisfies(e -> assertThat(((FleetException) e).kind()).isEqualTo(ErrorKind.Unavailable));
                assertThatThrownBy(() -> NatsFleetController.connect(List.of(url), wrongSeed, ca, false, 1))
                        .isInstanceOf(FleetException.class).hasMessageContaining("cannot connect");
                assertThatThrownBy(() -> NatsFleetController.connect(List.of(url), null, ca, false, 1))
                        .isInstanceOf(FleetException.class);
                // an agent with the wrong CA stays disconnected and says why
                FakeState st = new FakeState();
                Settings bad = new Settings(true, List.of(url), seed, "sec-2", List.of("ovsdb.>"), false, null, 0, 5,
                        otherCa, null, 16, 1, d.resolve("sec-2.json"));
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

    /** A JWT claim body of type {@code type} with the given extra members (JSON text without braces, may be empty). */
    private static io.nats.client.support.JsonSerializable claim(String type, String members) {
        return () -> "{" + (members.isEmpty() ? "" : members + ",") + "\"type\":\"" + type + "\",\"version\":2}";
    }

    /** A JWT signed by {@code signer} about {@code subject} (https://docs.nats.io/running-a-nats-service/configuration/securing_nats/jwt). */
    private static String jwt(NKey signer, NKey subject, String name, io.nats.client.support.JsonSerializable body)
            throws Exception {
        return io.nats.client.support.JwtUtils.issueJWT(signer, new String(subject.getPublicKey()), name, null,
                io.nats.client.support.JwtUtils.currentTimeSeconds(), new String(signer.getPublicKey()), null, body);
    }

    /** A {@code .creds} file as {@code nsc generate creds} writes it: the user JWT, then the user's NKey seed. */
    private static Path creds(Path file, String userJwt, NKey user) throws Exception {
        return Files.writeString(file, String.format(io.nats.client.support.JwtUtils.NATS_USER_JWT_FORMAT, userJwt,
                new String(user.getSeed())), StandardCharsets.US_ASCII);
    }

    /**
     * Decentralised JWT authentication: a nats-server in operator mode ({@code operator}, {@code resolver: MEMORY} with
     * the account JWTs preloaded, JetStream enabled for the account by its limits), keys made with jnats' {@link NKey}
     * and JWTs signed with jnats' {@code JwtUtils}. The agent with {@code credentials} = a {@code .creds} file of a
     * user of that account connects, applies and reports; {@code bin/patchbay fleet} ({@link dev.ovs.fleet.client.FleetCli})
     * with {@code --creds} writes the desired document and prints the status; a user JWT of an account the server does
     * not know, and no credentials, are refused.
     */
    @Test
    void operatorJwtCredentials() throws Exception {
        SecureRandom rnd = new SecureRandom();
        NKey operator = NKey.createOperator(rnd);
        NKey account = NKey.createAccount(rnd);
        NKey system = NKey.createAccount(rnd);
        NKey stranger = NKey.createAccount(rnd);
        NKey user = NKey.createUser(rnd);
        String opJwt = jwt(operator, operator, "pbt-operator", claim("operator", ""));
        String accJwt = jwt(operator, account, "pbt-fleet", claim("account", "\"limits\":{\"subs\":-1,\"data\":-1,"
                + "\"payload\":-1,\"imports\":-1,\"exports\":-1,\"wildcards\":true,\"conn\":-1,\"leaf\":-1,"
                + "\"mem_storage\":-1,\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1}"));
        String sysJwt = jwt(operator, system, "SYS", claim("account", ""));
        String userJwt = io.nats.client.support.JwtUtils.issueUserJWT(account, new String(account.getPublicKey()),
                new String(user.getPublicKey()), "pbt-host");
        String strangerJwt = io.nats.client.support.JwtUtils.issueUserJWT(stranger,
                new String(stranger.getPublicKey()), new String(user.getPublicKey()), "pbt-stranger");
        try (ShortTempDir tmp = ShortTempDir.create()) {
            Path d = tmp.path();
            Path good = creds(d.resolve("host.creds"), userJwt, user);
            Path bad = creds(d.resolve("stranger.creds"), strangerJwt, user);
            Path opFile = Files.writeString(d.resolve("operator.jwt"), opJwt);
            String extra = "operator: \"" + opFile + "\"\nsystem_account: " + new String(system.getPublicKey())
                    + "\nresolver: MEMORY\nresolver_preload: {\n  " + new String(account.getPublicKey()) + ": \""
                    + accJwt + "\"\n  " + new String(system.getPublicKey()) + ": \"" + sysJwt + "\"\n}\n";
            try (NatsCluster nats = NatsCluster.start(Files.createDirectories(d.resolve("nats")), 1, extra)) {
                String url = nats.url(0);
                // the CLI with --creds: the rollout to a host with no agent times out, so the desired key is written
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                Path doc = Files.writeString(d.resolve("doc.yaml"), "interfaces:\n- name: br-jwt\n  type: ovs-bridge\n");
                int rc = dev.ovs.fleet.client.FleetCli.run(new String[] {"apply", "--servers", url, "--creds", good.toString(),
                    "--replicas", "1", "--hosts", "jwt-1", "--timeout", "1", doc.toString()},
                        new java.io.PrintStream(out, true, StandardCharsets.UTF_8), new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
                assertThat(rc).as(out + " " + err).isEqualTo(1);
                assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("jwt-1 +\\d+ timeout");
                FakeState st = new FakeState();
                Settings s = Settings.of(Configs.of("enabled", true, "servers", url, "credentials", good.toString(),
                        "host_id", "jwt-1", "poll_seconds", 1, "confirm_seconds", 5), () -> null, d);
                try (NatsFleetController c = NatsFleetController.connect(List.of(url), good, null, false, 1);
                        FleetAgent a = new FleetAgent(s, () -> st)) {
                    a.start();
                    // the agent applies the revision the CLI wrote, and reports it
                    long rev = c.bucket(Subjects.DESIRED_BUCKET).get("jwt-1").getRevision();
                    long deadline = System.nanoTime() + 60_000_000_000L;
                    Report r = null;
                    while (System.nanoTime() < deadline) {
                        KeyValueEntry e = c.bucket(Subjects.REPORTED_BUCKET).get("jwt-1");
                        r = e == null ? null : ReportJson.read(e.getValue());
                        if (r != null && r.revision() == rev && r.status() == ReportStatus.APPLIED) {
                            break;
                        }
                        Thread.sleep(100);
                    }
                    assertThat(r).as("agent status %s", a.status()).isNotNull();
                    assertThat(r.status()).isEqualTo(ReportStatus.APPLIED);
                    assertThat(st.applied).containsExactly("interfaces:\n- name: br-jwt\n  type: ovs-bridge\n");
                    // the server knows the connection as the JWT's user of the account
                    assertThat(nats.server(0).get("/connz?auth=true")).contains(new String(user.getPublicKey()))
                            .contains(new String(account.getPublicKey()));
                }
                out.reset();
                rc = dev.ovs.fleet.client.FleetCli.run(new String[] {"status", "--servers", url, "--creds", good.toString()},
                        new java.io.PrintStream(out, true, StandardCharsets.UTF_8), new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
                assertThat(rc).isZero();
                assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("jwt-1 +(\\d+) +\\1 applied");
                assertThatThrownBy(() -> NatsFleetController.connect(List.of(url), bad, null, false, 1))
                        .isInstanceOf(FleetException.class).hasMessageContaining("cannot connect");
                assertThatThrownBy(() -> NatsFleetController.connect(List.of(url), null, null, false, 1))
                        .isInstanceOf(FleetException.class);
            }
        }
    }
}
