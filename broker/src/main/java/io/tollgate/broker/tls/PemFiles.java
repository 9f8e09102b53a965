package io.tollgate.broker.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;
import org.apache.pekko.pki.pem.PEMLoadingException;

/**
 * Certificates and private keys in PEM files, as cert-manager, Kubernetes TLS Secrets and
 * openssl write them. Pekko's PEM decoder reads the blocks; an unencrypted PKCS#8 key
 * ({@code BEGIN PRIVATE KEY}) may be RSA, EC or Ed25519, a PKCS#1 key ({@code BEGIN RSA PRIVATE KEY}) RSA.
 */
public final class PemFiles {
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

  private PemFiles() {}

  /** Every certificate in the file, in order: a server's chain starts with its own certificate. */
  public static List<X509Certificate> certificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(X509Certificate.class::cast)
          .toList();
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(file + " holds no PEM certificate");
      }
      return certificates;
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException("cannot read the certificates in " + file + ": " + e.getMessage(), e);
    }
  }

  public static PrivateKey privateKey(Path file) {
    try {
      PEMDecoder.DERData der = PEMDecoder.decode(Files.readString(file, StandardCharsets.US_ASCII));
      if (!der.label().equals("PRIVATE KEY")) {
        return DERPrivateKeyLoader.load(der);
      }
      for (String algorithm : KEY_ALGORITHMS) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der.bytes()));
        } catch (GeneralSecurityException notThisAlgorithm) {
          // The PKCS#8 envelope names its algorithm; trying each known one is simpler than reading the OID.
        }
      }
      throw new IllegalArgumentException(file + " holds a PKCS#8 key of an algorithm other than " + KEY_ALGORITHMS);
    } catch (IOException | PEMLoadingException e) {
      throw new IllegalArgumentException("cannot read the private key in " + file + ": " + e.getMessage(), e);
    }
  }
}
