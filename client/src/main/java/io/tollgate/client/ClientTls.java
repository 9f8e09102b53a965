package io.tollgate.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the SDK trusts a broker that serves TLS, and optionally which client certificate it
 * shows (when the broker requires them). JDK only: CA certificates from a PEM file or a trust
 * store, a client key as unencrypted PKCS#8 PEM. The broker's host name is always checked
 * against its certificate. Brokers with a certificate from a CA the JVM already trusts need
 * none of this: an {@code https://} URL and {@link TcpPublisher#connect(String, int, String, int, ClientTls)}
 * with {@link #systemDefault()} do.
 */
public final class ClientTls {
  private static final char[] NO_PASSWORD = new char[0];
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

  private final KeyStore trusted;
  private final KeyStore clientKey;

  private ClientTls(KeyStore trusted, KeyStore clientKey) {
    this.trusted = trusted;
    this.clientKey = clientKey;
  }

  /** The JVM's own trusted CAs. */
  public static ClientTls systemDefault() {
    return new ClientTls(null, null);
  }

  /** Trusts the CA certificates in a PEM file, and only those. */
  public static ClientTls trustingCaPem(Path caPem) {
    try {
      KeyStore store = emptyStore();
      List<Certificate> certificates = certificates(caPem);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      return new ClientTls(store, null);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot trust the certificates in " + caPem + ": " + e.getMessage(), e);
    }
  }

  /** Trusts the certificates in a PKCS#12 or JKS trust store. */
  public static ClientTls trustStore(Path store, char[] password) {
    try {
      return new ClientTls(KeyStore.getInstance(store.toFile(), password), null);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot read the trust store " + store + ": " + e.getMessage(), e);
    }
  }

  /**
   * The same trust, also showing this client certificate (chain in PEM, the key as unencrypted
   * PKCS#8 PEM). It only lets the connection in: the API key still says which account acts.
   */
  public ClientTls withClientCertificate(Path certificatePem, Path keyPem) {
    try {
      KeyStore store = emptyStore();
      store.setKeyEntry("client", privateKey(keyPem), NO_PASSWORD, certificates(certificatePem).toArray(Certificate[]::new));
      return new ClientTls(trusted, store);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the client certificate " + certificatePem + ": " + e.getMessage(), e);
    }
  }

  public SSLContext sslContext() {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      KeyManagerFactory keys = null;
      if (clientKey != null) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(clientKey, NO_PASSWORD);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot make a TLS context: " + e.getMessage(), e);
    }
  }

  /** An HTTP client for {@link TollgateAdmin}, {@link HttpPublisher} and {@link Subscriber} over https and wss. */
  public HttpClient httpClient() {
    return HttpSupport.newClient(sslContext());
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, NO_PASSWORD);
    return store;
  }

  private static List<Certificate> certificates(Path pem) throws GeneralSecurityException, IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      List<Certificate> certificates = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(pem + " holds no PEM certificate");
      }
      return certificates;
    }
  }

  private static PrivateKey privateKey(Path pem) throws IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int start = text.indexOf(begin);
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException(pem + " holds no unencrypted PKCS#8 key (BEGIN PRIVATE KEY); "
          + "convert one with: openssl pkcs8 -topk8 -nocrypt");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisAlgorithm) {
        // PKCS#8 names its algorithm inside; trying the few the JDK knows is simpler than reading it.
      }
    }
    throw new IllegalArgumentException(pem + " holds a key of an algorithm other than " + KEY_ALGORITHMS);
  }

  @Override
  public String toString() {
    return "ClientTls[" + (trusted == null ? "system CAs" : "own CAs") + (clientKey == null ? "" : ", client certificate") + "]";
  }
}
