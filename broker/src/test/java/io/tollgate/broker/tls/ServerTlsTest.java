package io.tollgate.broker.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
  @TempDir
  static Path dir;
  private static TestCertificates ca;
  private static TestCertificates.Issued node;

  @BeforeAll
  static void certificates() throws Exception {
    ca = TestCertificates.authority(dir, "ca");
    node = ca.issue("node");
  }

  @Test
  void aPkcs8KeyAndItsCertificateMakeServerEnginesOfTls12And13Only() {
    ServerTls tls = ServerTls.load(new ServerTls.Settings(node.certFile(), node.keyFile(), Optional.empty()));
    SSLEngine engine = tls.newEngine();
    assertFalse(engine.getUseClientMode());
    assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(engine.getEnabledProtocols()));
    assertFalse(engine.getNeedClientAuth());
    assertFalse(tls.requiresClientCertificates());
  }

  @Test
  void aClientCaMakesClientCertificatesRequired() {
    ServerTls tls = ServerTls.load(new ServerTls.Settings(node.certFile(), node.keyFile(), Optional.of(ca.caFile())));
    assertTrue(tls.newEngine().getNeedClientAuth());
  }

  @Test
  void aPkcs1RsaKeyIsReadToo() throws Exception {
    PrivateKey key = PemFiles.privateKey(node.keyFile());
    Path pkcs1 = dir.resolve("node-pkcs1.key");
    try (Writer out = Files.newBufferedWriter(pkcs1); JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(key);
    }
    assertTrue(Files.readString(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    assertEquals(key, PemFiles.privateKey(pkcs1));
  }

  @Test
  void aKeyThatIsNotTheCertificatesStopsTheStart() throws Exception {
    TestCertificates.Issued other = ca.issue("other");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> ServerTls.load(new ServerTls.Settings(node.certFile(), other.keyFile(), Optional.empty())));
    assertTrue(refused.getMessage().contains("is not the key of the first certificate"), refused.getMessage());
  }

  @Test
  void aFileWithoutPemIsRefusedNamingIt() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PemFiles.certificates(empty)).getMessage()
        .contains(empty.toString()));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PemFiles.privateKey(empty)).getMessage()
        .contains(empty.toString()));
  }
}
