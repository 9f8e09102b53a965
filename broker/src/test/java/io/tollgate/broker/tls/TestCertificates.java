package io.tollgate.broker.tls;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority made at test time, and certificates it signs, written as
 * PEM files the way an operator would hand them to a node: no key or certificate is kept in the repository.
 */
public final class TestCertificates {
  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final String name;
  private final KeyPair key;
  private final X509Certificate certificate;

  private TestCertificates(Path dir, String name, KeyPair key, X509Certificate certificate) {
    this.dir = dir;
    this.name = name;
    this.key = key;
    this.certificate = certificate;
  }

  /** A new CA whose files go to {@code dir}. */
  public static TestCertificates authority(Path dir, String name) throws Exception {
    KeyPair key = rsa();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder builder = builder(subject, subject, key)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    TestCertificates ca = new TestCertificates(dir, name, key, sign(builder, key.getPrivate()));
    write(ca.caFile(), ca.certificate);
    return ca;
  }

  /** The CA's certificate, what a client or server trusts. */
  public Path caFile() {
    return dir.resolve(name + "-ca.crt");
  }

  /** A certificate for localhost and 127.0.0.1, signed by this CA. */
  public Issued issue(String commonName) throws Exception {
    KeyPair pair = rsa();
    X509v3CertificateBuilder builder = builder(certificate, new X500Name("CN=" + commonName), pair)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    X509Certificate issued = sign(builder, key.getPrivate());
    Path cert = dir.resolve(commonName + ".crt");
    Path keyFile = dir.resolve(commonName + ".key");
    write(cert, issued);
    writePkcs8(keyFile, pair.getPrivate());
    return new Issued(cert, keyFile);
  }

  /** A certificate (PEM) and its unencrypted PKCS#8 key (PEM). */
  public record Issued(Path certFile, Path keyFile) {}

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, key.getPublic());
  }

  private static X509v3CertificateBuilder builder(X509Certificate issuer, X500Name subject, KeyPair key) {
    return builder(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), subject, key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
  }

  private static void write(Path file, X509Certificate certificate) throws IOException {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(certificate);
    }
  }

  private static void writePkcs8(Path file, PrivateKey key) throws IOException {
    try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(key, null));
    }
  }
}
