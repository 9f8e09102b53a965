package io.tollgate.broker.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the node's HTTP and TCP edges: the node's certificate chain and key from PEM files,
 * and, when a client CA is given, client certificates required and checked against it (mTLS).
 * Files are read once at start; a new certificate takes a restart (docs/operations.md).
 */
public final class ServerTls {
  /** Only these: TLS 1.0 and 1.1 are broken or deprecated, and the JDK's defaults are otherwise sound. */
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  /** {@code tollgate.tls}: where the PEM files are. */
  public record Settings(Path certFile, Path keyFile, Optional<Path> clientCaFile) {}

  private final SSLContext context;
  private final boolean clientCertificates;

  private ServerTls(SSLContext context, boolean clientCertificates) {
    this.context = context;
    this.clientCertificates = clientCertificates;
  }

  /** Reads the files; an unreadable file or a key that does not match the certificate stops the start. */
  public static ServerTls load(Settings settings) {
    List<X509Certificate> chain = PemFiles.certificates(settings.certFile());
    PrivateKey key = PemFiles.privateKey(settings.keyFile());
    if (!matches(key, chain.get(0))) {
      throw new IllegalArgumentException("the key in " + settings.keyFile()
          + " is not the key of the first certificate in " + settings.certFile());
    }
    try {
      char[] password = new char[0];
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, password);
      keys.setKeyEntry("node", key, password, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);
      TrustManagerFactory trustManagers = null;
      if (settings.clientCaFile().isPresent()) {
        KeyStore authorities = KeyStore.getInstance("PKCS12");
        authorities.load(null, password);
        List<X509Certificate> cas = PemFiles.certificates(settings.clientCaFile().get());
        for (int i = 0; i < cas.size(); i++) {
          authorities.setCertificateEntry("client-ca-" + i, cas.get(i));
        }
        trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(authorities);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers == null ? null : trustManagers.getTrustManagers(), null);
      return new ServerTls(context, settings.clientCaFile().isPresent());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use " + settings.certFile() + " and " + settings.keyFile()
          + " for TLS: " + e.getMessage(), e);
    }
  }

  /** Whether the key signs what the certificate's public key verifies: a mismatch would only show in handshakes. */
  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm();
    };
    try {
      byte[] probe = "tollgate".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A server-side engine for one connection. */
  public SSLEngine newEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(PROTOCOLS);
    engine.setNeedClientAuth(clientCertificates);
    return engine;
  }

  /** Whether a connection must present a client certificate signed by the client CA. */
  public boolean requiresClientCertificates() {
    return clientCertificates;
  }
}
