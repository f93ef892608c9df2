package dev.ovs.ovsdb.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovs.ovsdb.ClientOptions;
import dev.ovs.ovsdb.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PEM files of ssl: remotes, made by openssl in every form OpenSSL and ovs-pki write, and every way they go wrong. */
class TlsFilesTest {
    static TestPki pki;
    static Path ca;
    static TestPki.Leaf rsa;
    static TestPki.Leaf ec;
    static TestPki.Leaf ed;

    @BeforeAll
    static void make() throws Exception {
        pki = TestPki.create();
        ca = pki.ca("ca");
        rsa = pki.leaf("rsa", "ca", "rsa");
        ec = pki.leaf("ec", "ca", "ec");
        ed = pki.leaf("ed", "ca", "ed25519");
    }

    @AfterAll
    static void clean() {
        pki.close();
    }

    private static ClientOptions.Tls tls(Path key, Path cert) {
        return new ClientOptions.Tls(key, cert, ca);
    }

    @Test
    void everyUnencryptedKeyFormLoads() throws Exception {
        assertThat(Files.readString(rsa.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        Path pkcs1 = pki.pkcs1(rsa.key());
        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Path sec1 = pki.sec1(ec.key());
        assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");

        PrivateKey a = TlsFiles.readKey(rsa.key());
        PrivateKey b = TlsFiles.readKey(pkcs1);
        assertThat(a.getAlgorithm()).isEqualTo("RSA");
        assertThat(b.getEncoded()).isEqualTo(a.getEncoded()); // the wrapped PKCS#1 key is the same key
        PrivateKey e1 = TlsFiles.readKey(ec.key());
        PrivateKey e2 = TlsFiles.readKey(sec1);
        assertThat(e1.getAlgorithm()).isEqualTo("EC");
        assertThat(((java.security.interfaces.ECPrivateKey) e2).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) e1).getS());
        assertThat(TlsFiles.readKey(ed.key()).getAlgorithm()).isIn("EdDSA", "Ed25519");

        for (TestPki.Leaf l : List.of(rsa, ec, ed, new TestPki.Leaf(pkcs1, rsa.cert()), new TestPki.Leaf(sec1, ec.cert()))) {
            SSLContext ctx = TlsFiles.load(tls(l.key(), l.cert()));
            assertThat(ctx.getProtocol()).isEqualTo("TLS");
        }
    }

    @Test
    void textAroundPemBlocksIsSkipped() throws Exception {
        // ovs-pki writes "openssl x509 -text" output before the PEM block of a certificate
        Path withText = pki.dir.resolve("text.pem");
        Files.writeString(withText, "Certificate:\n    Data:\n        Version: 3 (0x2)\n" + Files.readString(rsa.cert())
                + "trailing words\n" + Files.readString(ca));
        List<X509Certificate> certs = TlsFiles.readCertificates("certificate", withText);
        assertThat(certs).hasSize(2);
        assertThat(certs.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=rsa");
        assertThat(certs.get(1).getSubjectX500Principal().getName()).isEqualTo("CN=ca");
    }

    @Test
    void eachBadFileIsNamedWithItsKeyAndReason() throws Exception {
        Path missing = pki.dir.resolve("nope.pem");
        assertThatThrownBy(() -> TlsFiles.load(tls(missing, rsa.cert())))
                .isInstanceOf(TlsFiles.Problem.class).hasMessage("private.key " + missing + ": no such file");
        assertThatThrownBy(() -> TlsFiles.load(tls(rsa.key(), missing)))
                .hasMessage("certificate " + missing + ": no such file");
        assertThatThrownBy(() -> TlsFiles.load(new ClientOptions.Tls(rsa.key(), rsa.cert(), missing)))
                .hasMessage("ca.cert " + missing + ": no such file");
        assertThatThrownBy(() -> TlsFiles.load(tls(pki.dir, rsa.cert())))
                .hasMessageStartingWith("private.key " + pki.dir + ": cannot be read");

        Path garbage = pki.dir.resolve("garbage.pem");
        Files.writeString(garbage, "this is not a key\n");
        assertThatThrownBy(() -> TlsFiles.load(tls(garbage, rsa.cert())))
                .hasMessage("private.key " + garbage + ": not a PEM file (no -----BEGIN ...----- line)");

        assertThatThrownBy(() -> TlsFiles.load(tls(rsa.cert(), rsa.cert())))
                .hasMessageStartingWith("private.key " + rsa.cert() + ": no private key in it")
                .hasMessageContaining("found [CERTIFICATE]");
        assertThatThrownBy(() -> TlsFiles.load(tls(rsa.key(), rsa.key())))
                .hasMessageStartingWith("certificate " + rsa.key() + ": no certificate in it")
                .hasMessageContaining("found [PRIVATE KEY]");

        Path enc = pki.encrypted(rsa.key());
        assertThatThrownBy(() -> TlsFiles.load(tls(enc, rsa.cert())))
                .hasMessageStartingWith("private.key " + enc + ": the key is encrypted");

        Path cut = pki.dir.resolve("cut.pem");
        String whole = Files.readString(rsa.key());
        Files.writeString(cut, whole.substring(0, whole.indexOf("-----END")));
        assertThatThrownBy(() -> TlsFiles.load(tls(cut, rsa.cert())))
                .hasMessage("private.key " + cut + ": PEM block BEGIN PRIVATE KEY has no END line");

        Path badB64 = pki.dir.resolve("b64.pem");
        Files.writeString(badB64, "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> TlsFiles.load(tls(rsa.key(), badB64)))
                .hasMessage("certificate " + badB64 + ": PEM block BEGIN CERTIFICATE is not valid base64");

        TestPki.Leaf expired = pki.leaf("expired", "ca", "ec", -1);
        assertThatThrownBy(() -> TlsFiles.load(tls(expired.key(), expired.cert())))
                .hasMessageStartingWith("certificate " + expired.cert() + ": expired on ");

        // key of one certificate with another certificate
        assertThatThrownBy(() -> TlsFiles.load(tls(ec.key(), rsa.cert())))
                .hasMessage("private.key " + ec.key() + ": does not match the public key of certificate " + rsa.cert()
                        + " (CN=rsa)");
        TestPki.Leaf other = pki.leaf("other", "ca", "rsa");
        assertThatThrownBy(() -> TlsFiles.load(tls(other.key(), rsa.cert())))
                .hasMessageContaining(": does not match the public key of certificate");
    }

    @Test
    void contextIsReadAgainWhenAFileChanges() throws Exception {
        Path key = pki.dir.resolve("rotating.key");
        Path cert = pki.dir.resolve("rotating.pem");
        Files.copy(rsa.key(), key);
        Files.copy(rsa.cert(), cert);
        TlsFiles f = new TlsFiles(tls(key, cert));
        SSLContext first = f.context();
        assertThat(f.context()).isSameAs(first);
        Files.delete(key);
        assertThatThrownBy(f::context).hasMessage("private.key " + key + ": no such file");
        Files.copy(ec.key(), key);
        Files.copy(ec.cert(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(f.context()).isNotSameAs(first);
    }
}
