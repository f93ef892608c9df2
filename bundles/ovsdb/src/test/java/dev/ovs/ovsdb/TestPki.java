package dev.ovs.ovsdb;

import dev.ovs.itests.harness.Cmd;
import dev.ovs.itests.harness.ShortTempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: certificate authorities and certificates made with {@code openssl} (OpenSSL 3) in a temporary
 * directory: a CA ({@code NAME.key}, {@code NAME.pem}), leaf certificates signed by it (serverAuth + clientAuth),
 * and the same key written in other PEM forms (PKCS#1, SEC 1, encrypted PKCS#8).
 */
public final class TestPki implements AutoCloseable {
    /** A key and its certificate. */
    public record Leaf(Path key, Path cert) {
    }

    public final Path dir;
    private final ShortTempDir tmp;

    private TestPki(ShortTempDir tmp) {
        this.tmp = tmp;
        this.dir = tmp.path();
    }

    /** @return a fresh directory for keys and certificates */
    public static TestPki create() {
        dev.ovs.itests.harness.Tools.require("openssl");
        return new TestPki(ShortTempDir.create());
    }

    private static String run(String... argv) {
        return Cmd.run(List.of(argv), Duration.ofSeconds(60));
    }

    private static List<String> newKey(String type) {
        return switch (type) {
            case "rsa" -> List.of("-newkey", "rsa:2048");
            case "ec" -> List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
            case "ed25519" -> List.of("-newkey", "ed25519");
            default -> throw new IllegalArgumentException("type: rsa, ec or ed25519, got " + type);
        };
    }

    /**
     * Makes a self-signed CA.
     *
     * @param name file prefix and common name
     * @return the CA certificate ({@code NAME.pem}; the key is {@code NAME.key})
     */
    public Path ca(String name) {
        List<String> argv = new ArrayList<>(List.of("openssl", "req", "-x509"));
        argv.addAll(newKey("ec"));
        argv.addAll(List.of("-nodes", "-keyout", dir.resolve(name + ".key").toString(), "-out",
                dir.resolve(name + ".pem").toString(), "-days", "3", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        Cmd.run(argv, Duration.ofSeconds(60));
        return dir.resolve(name + ".pem");
    }

    /**
     * Makes a key (PKCS#8 PEM) and a certificate signed by a CA made with {@link #ca}.
     *
     * @param name file prefix and common name
     * @param ca   the CA's name
     * @param type {@code rsa}, {@code ec} or {@code ed25519}
     * @return key and certificate
     */
    public Leaf leaf(String name, String ca, String type) throws Exception {
        return leaf(name, ca, type, 3);
    }

    /**
     * Like {@link #leaf(String, String, String)} with a validity in days; -1 makes a certificate that expired a day
     * after it became valid (notAfter before notBefore: expired now).
     */
    public Leaf leaf(String name, String ca, String type, int days) throws Exception {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth,clientAuth\n");
        List<String> argv = new ArrayList<>(List.of("openssl", "req"));
        argv.addAll(newKey(type));
        argv.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name));
        Cmd.run(argv, Duration.ofSeconds(60));
        run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", dir.resolve(ca + ".pem").toString(), "-CAkey",
                dir.resolve(ca + ".key").toString(), "-CAcreateserial", "-out", cert.toString(), "-days", String.valueOf(days),
                "-extfile", ext.toString());
        return new Leaf(key, cert);
    }

    /** @return the RSA key written as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) */
    public Path pkcs1(Path rsaKey) {
        Path out = dir.resolve(rsaKey.getFileName() + ".pkcs1");
        run("openssl", "rsa", "-in", rsaKey.toString(), "-traditional", "-out", out.toString());
        return out;
    }

    /** @return the EC key written as SEC 1 ({@code BEGIN EC PRIVATE KEY}) */
    public Path sec1(Path ecKey) {
        Path out = dir.resolve(ecKey.getFileName() + ".sec1");
        run("openssl", "ec", "-in", ecKey.toString(), "-out", out.toString());
        return out;
    }

    /** @return the key encrypted with a passphrase ({@code BEGIN ENCRYPTED PRIVATE KEY}) */
    public Path encrypted(Path key) {
        Path out = dir.resolve(key.getFileName() + ".enc");
        run("openssl", "pkey", "-in", key.toString(), "-aes256", "-passout", "pass:secret", "-out", out.toString());
        return out;
    }

    @Override
    public void close() {
        tmp.close();
    }
}
