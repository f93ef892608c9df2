package dev.ovs.ovsdb.rpc;

import dev.ovs.ovsdb.ClientOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The TLS material of {@code ssl:} remotes, read from the PEM files of {@link ClientOptions.Tls} with the JDK alone
 * (no PEM library): the private key (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, SEC 1
 * {@code EC PRIVATE KEY}; RFC 7468 textual encoding), the certificate chain and the CA certificates. The files are
 * checked before anything is sent: readable, PEM of the right kind, not encrypted, key matching the certificate,
 * certificate within its validity period. The context is rebuilt when a file's size or modification time changes,
 * so a renewed certificate is used from the next connection on.
 */
final class TlsFiles {
    /** A file that cannot be used; the message names the configuration key, the file and the reason. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String key, Path file, String reason) {
            super(key + " " + file + ": " + reason);
        }

        Problem(String key, Path file, String reason, Throwable cause) {
            super(key + " " + file + ": " + reason, cause);
        }
    }

    private record Block(String type, boolean encrypted, byte[] der) {
    }

    private static final String RSA_OID = "1.2.840.113549.1.1.1";
    private static final String EC_OID = "1.2.840.10045.2.1";
    /** The alias under which the client's key is kept; the key manager always offers it. */
    private static final String ALIAS = "client";

    private final ClientOptions.Tls tls;
    private String stamp;
    private SSLContext context;

    TlsFiles(ClientOptions.Tls tls) {
        this.tls = tls;
    }

    /**
     * @return the TLS context of the files as they are now (cached while no file changed)
     * @throws Problem if a file is missing, unreadable, not PEM of the right kind, encrypted, or the key does not
     *                 match the certificate, or the certificate is outside its validity period
     */
    synchronized SSLContext context() throws Problem {
        String s = stamp(tls.privateKey()) + "|" + stamp(tls.certificate()) + "|" + stamp(tls.caCert());
        if (context == null || !s.equals(stamp)) {
            context = load(tls);
            stamp = s;
        }
        return context;
    }

    private static String stamp(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis() + ":" + Files.size(p);
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Reads and checks the three files.
     *
     * @param tls the files
     * @return a TLS client context that presents the certificate and trusts only {@code ca.cert}
     * @throws Problem naming the key and file at fault
     */
    static SSLContext load(ClientOptions.Tls tls) throws Problem {
        PrivateKey key = readKey(tls.privateKey());
        List<X509Certificate> chain = readCertificates("certificate", tls.certificate());
        List<X509Certificate> cas = readCertificates("ca.cert", tls.caCert());
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new Problem("certificate", tls.certificate(), "expired on " + leaf.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new Problem("certificate", tls.certificate(), "not valid before " + leaf.getNotBefore().toInstant());
        }
        checkPair(key, leaf, tls);
        try {
            char[] pw = "in-memory".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, key, pw, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, pw);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ts.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {new AlwaysPresent((X509KeyManager) kmf.getKeyManagers()[0])},
                    tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new Problem("private.key", tls.privateKey(), "cannot build the TLS context: " + e, e);
        }
    }

    /** Signs with the key and verifies with the certificate's public key. */
    private static void checkPair(PrivateKey key, X509Certificate leaf, ClientOptions.Tls tls) throws Problem {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (alg == null) {
            return; // no generic check for other key types; the handshake reports a mismatch
        }
        try {
            byte[] probe = "patchbay key/certificate check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(leaf.getPublicKey());
            v.update(probe);
            if (v.verify(sig)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's: a mismatch as well
        }
        throw new Problem("private.key", tls.privateKey(), "does not match the public key of certificate "
                + tls.certificate() + " (" + leaf.getSubjectX500Principal().getName() + ")");
    }

    /**
     * @param file PEM file
     * @return its private key
     * @throws Problem if missing, unreadable, encrypted, or holding no supported key
     */
    static PrivateKey readKey(Path file) throws Problem {
        String key = "private.key";
        List<Block> blocks = blocks(key, file);
        for (Block b : blocks) {
            if (b.type().equals("ENCRYPTED PRIVATE KEY") || b.type().endsWith("PRIVATE KEY") && b.encrypted()) {
                throw new Problem(key, file, "the key is encrypted; Open vSwitch and Patchbay read unencrypted keys "
                        + "(protect the file by its mode and owner; decrypt with 'openssl pkey -in FILE -out FILE')");
            }
        }
        for (Block b : blocks) {
            byte[] pkcs8 = switch (b.type()) {
                case "PRIVATE KEY" -> b.der();
                case "RSA PRIVATE KEY" -> pkcs8(RSA_OID, new byte[] {0x05, 0x00}, b.der());
                case "EC PRIVATE KEY" -> pkcs8(EC_OID, sec1Curve(key, file, b.der()), b.der());
                default -> null;
            };
            if (pkcs8 == null) {
                continue;
            }
            for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                } catch (GeneralSecurityException | RuntimeException e) {
                    // not this algorithm
                }
            }
            throw new Problem(key, file, "the " + b.type() + " block is not an RSA, EC, Ed25519, Ed448 or DSA key");
        }
        throw new Problem(key, file, "no private key in it (expected a PEM block BEGIN PRIVATE KEY, BEGIN RSA PRIVATE "
                + "KEY or BEGIN EC PRIVATE KEY" + (blocks.isEmpty() ? "" : ", found " + types(blocks)) + ")");
    }

    /**
     * @param key  configuration key, for messages
     * @param file PEM file
     * @return its certificates in file order (at least one)
     * @throws Problem if missing, unreadable, or holding no valid certificate
     */
    static List<X509Certificate> readCertificates(String key, Path file) throws Problem {
        List<Block> blocks = blocks(key, file);
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Block b : blocks) {
                if (b.type().equals("CERTIFICATE") || b.type().equals("X509 CERTIFICATE")) {
                    out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException e) {
            throw new Problem(key, file, "not a valid X.509 certificate: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new Problem(key, file, "no certificate in it (expected a PEM block BEGIN CERTIFICATE"
                    + (blocks.isEmpty() ? "" : ", found " + types(blocks)) + ")");
        }
        return out;
    }

    private static String types(List<Block> blocks) {
        return blocks.stream().map(Block::type).distinct().toList().toString();
    }

    /** RFC 7468 blocks; text outside them (e.g. ovs-pki's "Certificate:" dump) is skipped. */
    private static List<Block> blocks(String key, Path file) throws Problem {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new Problem(key, file, "no such file");
        } catch (AccessDeniedException e) {
            throw new Problem(key, file, "not readable (permission denied)");
        } catch (IOException e) {
            throw new Problem(key, file, "cannot be read: " + e, e);
        }
        List<Block> out = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (!l.startsWith("-----BEGIN ") || !l.endsWith("-----")) {
                continue;
            }
            String type = l.substring(11, l.length() - 5);
            String end = "-----END " + type + "-----";
            StringBuilder b64 = new StringBuilder();
            boolean encrypted = false;
            int j = i + 1;
            for (; j < lines.length && !lines[j].strip().equals(end); j++) {
                String body = lines[j].strip();
                if (body.contains(":")) {
                    encrypted |= body.startsWith("Proc-Type:") && body.contains("ENCRYPTED") || body.startsWith("DEK-Info:");
                } else {
                    b64.append(body);
                }
            }
            if (j == lines.length) {
                throw new Problem(key, file, "PEM block BEGIN " + type + " has no END line");
            }
            try {
                out.add(new Block(type, encrypted, Base64.getDecoder().decode(b64.toString())));
            } catch (IllegalArgumentException e) {
                throw new Problem(key, file, "PEM block BEGIN " + type + " is not valid base64");
            }
            i = j;
        }
        if (out.isEmpty()) {
            throw new Problem(key, file, "not a PEM file (no -----BEGIN ...----- line)");
        }
        return out;
    }

    // --- minimal DER (X.690), enough to wrap PKCS#1 and SEC 1 keys into PKCS#8 (RFC 5208 PrivateKeyInfo) ---

    private static byte[] pkcs8(String algOid, byte[] params, byte[] key) {
        byte[] algId = tlv(0x30, concat(oid(algOid), params));
        return tlv(0x30, concat(tlv(0x02, new byte[] {0}), algId, tlv(0x04, key)));
    }

    /** SEC 1 ECPrivateKey: SEQUENCE { version, privateKey OCTET STRING, [0] parameters (the curve OID), [1] ... }. */
    private static byte[] sec1Curve(String key, Path file, byte[] der) throws Problem {
        try {
            int[] seq = header(der, 0);
            int p = seq[1];
            int end = seq[1] + seq[2];
            while (p < end) {
                int[] h = header(der, p);
                if (h[0] == 0xA0) {
                    byte[] oid = new byte[h[2]];
                    System.arraycopy(der, h[1], oid, 0, h[2]);
                    return oid;
                }
                p = h[1] + h[2];
            }
        } catch (RuntimeException e) {
            throw new Problem(key, file, "the EC PRIVATE KEY block is not valid DER");
        }
        throw new Problem(key, file, "the EC PRIVATE KEY names no curve (write it with 'openssl pkey' as PKCS#8)");
    }

    /** @return {tag, content offset, content length} */
    private static int[] header(byte[] d, int p) {
        int tag = d[p] & 0xFF;
        int len = d[p + 1] & 0xFF;
        int off = p + 2;
        if (len > 0x80) {
            int n = len & 0x7F;
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (d[off + i] & 0xFF);
            }
            off += n;
        }
        if (len < 0 || off + len > d.length) {
            throw new IllegalArgumentException("truncated DER");
        }
        return new int[] {tag, off, len};
    }

    private static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long v = Long.parseLong(parts[i]);
            int n = 0;
            byte[] tmp = new byte[10];
            do {
                tmp[n++] = (byte) (v & 0x7F);
                v >>>= 7;
            } while (v != 0);
            for (int k = n - 1; k >= 0; k--) {
                out.write(tmp[k] | (k > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n > 0xFFFFFF ? 4 : n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * Offers the client's certificate whatever CA names the server lists in its certificate request (as OpenSSL
     * does), so that a server that does not trust it says so with a TLS alert instead of getting no certificate.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509KeyManager km;

        AlwaysPresent(X509KeyManager km) {
            this.km = km;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return km.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return km.getPrivateKey(alias);
        }
    }
}
