package org.flinkreinforce.job.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Test-time TLS material, made fresh in a directory with the JDK's {@code keytool} and {@link
 * KeyStore}, all PKCS12 under one password: a self-signed CA, a broker keystore holding a key and a
 * certificate the CA signed for {@code localhost}, {@code 127.0.0.1} and any further host names
 * given (its chain includes the CA), a client truststore that trusts the CA, and, for negative
 * tests, a truststore that trusts only an unrelated CA. Nothing is committed; valid for two days.
 */
public final class TlsMaterial {

    private static final String ALIAS = "key";

    private final Path keystore;
    private final Path truststore;
    private final Path untrustedTruststore;
    private final String password;

    private TlsMaterial(Path keystore, Path truststore, Path untrustedTruststore, String password) {
        this.keystore = keystore;
        this.truststore = truststore;
        this.untrustedTruststore = untrustedTruststore;
        this.password = password;
    }

    /**
     * Makes the material in {@code directory} (which must exist).
     *
     * @param hostNames further DNS names the broker certificate covers, e.g. a container's network
     *     alias
     */
    public static TlsMaterial generate(Path directory, String... hostNames) {
        String password = "reinforce-test";
        Path ca = directory.resolve("ca.p12");
        Path keystore = directory.resolve("broker.p12");
        Path request = directory.resolve("broker.csr");
        Path signed = directory.resolve("broker.pem");
        Path stranger = directory.resolve("stranger-ca.p12");
        StringBuilder san = new StringBuilder("SAN=dns:localhost,ip:127.0.0.1");
        for (String host : hostNames) {
            san.append(",dns:").append(host);
        }
        try {
            Path log = directory.resolve("keytool.log");
            keyPair(log, ca, password, "CN=reinforce-test-ca", "-ext", "bc:c");
            keyPair(log, keystore, password, "CN=localhost");
            keytool(log, keystore, password, "-certreq", "-file", request.toString());
            keytool(
                    log,
                    ca,
                    password,
                    "-gencert",
                    "-infile",
                    request.toString(),
                    "-outfile",
                    signed.toString(),
                    "-ext",
                    san.toString(),
                    "-validity",
                    "2",
                    "-rfc");
            keyPair(log, stranger, password, "CN=reinforce-stranger-ca", "-ext", "bc:c");

            char[] secret = password.toCharArray();
            Certificate caCertificate = load(ca, secret).getCertificate(ALIAS);
            KeyStore broker = load(keystore, secret);
            Key key = broker.getKey(ALIAS, secret);
            Certificate brokerCertificate;
            try (InputStream in = Files.newInputStream(signed)) {
                brokerCertificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            broker.setKeyEntry(
                    ALIAS, key, secret, new Certificate[] {brokerCertificate, caCertificate});
            store(broker, keystore, secret);

            Path truststore = directory.resolve("truststore.p12");
            store(trusting(caCertificate), truststore, secret);
            Path untrusted = directory.resolve("untrusted-truststore.p12");
            store(trusting(load(stranger, secret).getCertificate(ALIAS)), untrusted, secret);
            return new TlsMaterial(keystore, truststore, untrusted, password);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not make the TLS material.", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not make the TLS material.", e);
        }
    }

    /** The broker's PKCS12 keystore: its key, and the certificate chain up to the CA. */
    public Path keystore() {
        return keystore;
    }

    /** A PKCS12 truststore that trusts the CA that signed the broker certificate. */
    public Path truststore() {
        return truststore;
    }

    /** A PKCS12 truststore that trusts only an unrelated CA, not the broker. */
    public Path untrustedTruststore() {
        return untrustedTruststore;
    }

    /** The password of every store and key. */
    public String password() {
        return password;
    }

    /**
     * The Kafka client properties {@code ssl.truststore.location/password/type} for {@code
     * truststore} (one of this material's truststores).
     */
    public Properties clientProperties(Path truststore) {
        Properties properties = new Properties();
        properties.put("ssl.truststore.location", truststore.toString());
        properties.put("ssl.truststore.password", password);
        properties.put("ssl.truststore.type", "PKCS12");
        return properties;
    }

    private static KeyStore trusting(Certificate certificate)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", certificate);
        return store;
    }

    private static KeyStore load(Path file, char[] password)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    private static void store(KeyStore store, Path file, char[] password)
            throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
    }

    /** An EC key pair and a self-signed certificate, valid for two days. */
    private static void keyPair(
            Path log, Path store, String password, String name, String... extensions)
            throws IOException {
        List<String> arguments =
                new ArrayList<>(
                        List.of("-genkeypair", "-dname", name, "-keyalg", "EC", "-validity", "2"));
        arguments.addAll(List.of(extensions));
        keytool(log, store, password, arguments.toArray(String[]::new));
    }

    /** Runs keytool on the one entry ({@link #ALIAS}) of a PKCS12 store. */
    private static void keytool(Path log, Path store, String password, String... arguments)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived JVM: C1 only and the serial collector start it about twice as fast.
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(arguments));
        command.addAll(
                List.of(
                        "-alias",
                        ALIAS,
                        "-keystore",
                        store.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        password,
                        "-noprompt"));
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within a minute: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("Interrupted while running keytool.", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    "keytool failed ("
                            + command
                            + "): "
                            + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
