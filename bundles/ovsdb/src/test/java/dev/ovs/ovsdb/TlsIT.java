package dev.ovs.ovsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.ovsdb.rpc.OvsdbClients;
import dev.ovs.ovsdb.vswitch.BridgeOptions;
import dev.ovs.ovsdb.vswitch.VSwitch;
import dev.ovs.ovsdb.vswitch.impl.VSwitches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ssl:} remotes against a real ovsdb-server started with {@code --private-key}, {@code --certificate},
 * {@code --ca-cert} and {@code --remote=pssl:PORT:127.0.0.1}: mutual TLS works (RSA, EC and PKCS#1 client keys),
 * a server certificate from another CA and a client certificate the server does not trust are refused with a
 * reason in {@link OvsdbClient#status()}, a missing key file is reported and picked up once it exists.
 */
class TlsIT {
    static TestPki pki;
    static Path ca;
    static Path otherCa;
    static TestPki.Leaf client;
    static TestPki.Leaf rsaClient;
    static TestPki.Leaf strangerClient;
    static TestServers.TlsServer server;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        ca = pki.ca("ca");
        otherCa = pki.ca("other-ca");
        TestPki.Leaf srv = pki.leaf("server", "ca", "rsa");
        client = pki.leaf("client", "ca", "ec");
        rsaClient = pki.leaf("rsa-client", "ca", "rsa");
        strangerClient = pki.leaf("stranger", "other-ca", "ec");
        server = new TestServers.TlsServer(srv.key(), srv.cert(), ca);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        pki.close();
    }

    static ClientOptions opts(Path key, Path cert, Path caCert) {
        return ClientOptions.of(server.remote(), new ClientOptions.Tls(key, cert, caCert)).withReconnect(50, 400);
    }

    @Test
    void mutualTlsCarriesTheProtocol() throws Exception {
        try (OvsdbClient c = OvsdbClients.connect(opts(client.key(), client.cert(), ca))) {
            assertThat(c.awaitConnected(Duration.ofSeconds(10))).as("status %s, server log %s", c.status(), server.log())
                    .isTrue();
            assertThat(c.listDbs().get()).contains("Open_vSwitch", "_Server");
            ConnectionStatus st = c.status();
            assertThat(st.connected()).isTrue();
            assertThat(st.remote()).isEqualTo(server.remote());
            assertThat(st.connections()).isEqualTo(1);
            assertThat(st.lastError()).isNull();

            VSwitch vs = VSwitches.create(c, false, 10_000);
            vs.addBridge("br-tls", BridgeOptions.NONE, false);
            assertThat(new dev.ovs.ovsdb.shell.OvsCommands(vs).status()).contains("remote: " + server.remote() + "\n",
                    "connected: true\n", "connections: 1\n", "last error: none\n");
            assertThat(Cmd.run("ovs-vsctl", "--db=" + server.unix(), "list-br")).contains("br-tls");
            Cmd.run("ovs-vsctl", "--db=" + server.unix(), "--no-wait", "add-br", "br-vsctl");
            Replica r = c.replica("Open_vSwitch", Map.of("Bridge", Set.of("name")));
            assertThat(r.awaitSynced(Duration.ofSeconds(10))).isTrue();
            r.sync();
            assertThat(r.byName("Bridge", "br-vsctl")).isPresent();
            assertThat(r.byName("Bridge", "br-tls")).isPresent();
            vs.deleteBridge("br-tls", false);
            vs.deleteBridge("br-vsctl", false);
        }
        // an RSA key in PKCS#1 form (BEGIN RSA PRIVATE KEY) as well
        try (OvsdbClient c = OvsdbClients.connect(opts(pki.pkcs1(rsaClient.key()), rsaClient.cert(), ca))) {
            assertThat(c.awaitConnected(Duration.ofSeconds(10))).as("%s", c.status()).isTrue();
            assertThat(c.echo(null).get().isArray()).isTrue();
        }
    }

    @Test
    void serverCertificateFromAnotherCaIsRefused() throws Exception {
        try (OvsdbClient c = OvsdbClients.connect(opts(client.key(), client.cert(), otherCa))) {
            ConnectionStatus st = waitForError(c);
            System.out.println("wrong ca.cert: " + st.lastError());
            assertThat(st.connected()).isFalse();
            assertThat(st.lastError()).startsWith(server.remote() + ": the server's certificate is not signed by a CA "
                    + "in ca.cert");
            assertThat(c.isConnected()).isFalse();
            assertThatThrownBy(() -> c.listDbs().join()).hasCauseInstanceOf(ConnectionException.class)
                    .hasMessageContaining("not signed by a CA in ca.cert");
        }
    }

    @Test
    void clientCertificateTheServerDoesNotTrustIsRefused() throws Exception {
        try (OvsdbClient c = OvsdbClients.connect(opts(strangerClient.key(), strangerClient.cert(), ca))) {
            ConnectionStatus st = waitForError(c);
            System.out.println("client certificate from another CA: " + st.lastError());
            assertThat(st.connected()).isFalse();
            assertThat(st.lastError()).startsWith(server.remote() + ": ")
                    .containsAnyOf("the server refused the client certificate", "it refused the client certificate");
            assertThat(c.awaitConnected(Duration.ofMillis(500))).isFalse();
        }
    }

    @Test
    void missingKeyFileIsReportedAndUsedOnceItExists() throws Exception {
        Path key = pki.dir.resolve("late.key");
        Files.deleteIfExists(key);
        try (OvsdbClient c = OvsdbClients.connect(opts(key, client.cert(), ca))) {
            ConnectionStatus st = waitForError(c);
            assertThat(st.lastError()).isEqualTo(server.remote() + ": private.key " + key + ": no such file");
            VSwitch vs = VSwitches.create(c, false, 10_000);
            assertThat(new dev.ovs.ovsdb.shell.OvsCommands(vs).status())
                    .contains("connected: false\n", "last error: " + server.remote() + ": private.key " + key
                            + ": no such file\n");
            assertThatThrownBy(() -> vs.addBridge("br-x", BridgeOptions.NONE, false)).isInstanceOf(OvsdbException.class)
                    .hasMessageContaining("(last error: " + server.remote() + ": private.key " + key + ": no such file)");
            assertThat(st.connections()).isZero();
            Files.copy(client.key(), key);
            assertThat(c.awaitConnected(Duration.ofSeconds(10))).as("%s", c.status()).isTrue();
            assertThat(c.status().connections()).isEqualTo(1);
        }
    }

    /** A server that accepts and never answers the TLS handshake: closing the client aborts the attempt at once. */
    @Test
    void closeAbortsAHandshakeInProgress() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            java.util.List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            }, "silent-accept");
            acceptor.start();
            String remote = "ssl:127.0.0.1:" + silent.getLocalPort();
            OvsdbClient c = OvsdbClients.connect(ClientOptions.of(remote, new ClientOptions.Tls(client.key(),
                    client.cert(), ca)));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (held.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(held).as("the client connected and waits for the ServerHello").isNotEmpty();
            c.close();
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive() && t.getName().contains(remote));
            silent.close();
            for (java.net.Socket s : held) {
                s.close();
            }
            acceptor.join(5000);
        }
    }

    static ConnectionStatus waitForError(OvsdbClient c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (c.status().lastError() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(c.status().lastError()).as("a failure is reported").isNotNull();
        return c.status();
    }
}
