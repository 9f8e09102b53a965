package io.tollgate.broker.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * An identity provider for tests: an RSA and an EC key pair made fresh, their public JWKS,
 * and tokens signed with them (or signed wrongly, to be refused).
 */
public final class TestIssuer {
  public static final String ISSUER = "https://idp.example.test";
  public static final String AUDIENCE = "tollgate";

  private final RSAKey rsa;
  private final ECKey ec;

  public TestIssuer() {
    try {
      rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
      ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public String publicJwks() {
    return new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
  }

  /** Writes the public JWKS to {@code dir} and returns the file. */
  public Path writeJwks(Path dir) throws IOException {
    return Files.writeString(dir.resolve("jwks.json"), publicJwks());
  }

  /** The broker settings that trust this issuer, through a JWKS file in {@code dir}. */
  public Map<String, Object> brokerSettings(Path dir) throws IOException {
    return Map.of("tollgate.auth.jwt.issuer", ISSUER, "tollgate.auth.jwt.audience", AUDIENCE,
        "tollgate.auth.jwt.jwks-file", writeJwks(dir).toString());
  }

  /** Claims the broker accepts for {@code account} with space-separated {@code scope}, until {@code expiresAt}. */
  public static JWTClaimsSet.Builder claims(String account, String scope, Instant expiresAt) {
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("user-1")
        .expirationTime(Date.from(expiresAt)).claim("tollgate_account", account).claim("scope", scope);
  }

  public String rs256(JWTClaimsSet claims) {
    try {
      return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), claims, new RSASSASigner(rsa));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public String es256(JWTClaimsSet claims) {
    try {
      return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims, new ECDSASigner(ec));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The classic key-confusion forgery: HS256 with this issuer's public RSA key (which anyone
   * can read from the JWKS) as the HMAC secret.
   */
  public String hs256WithPublicKey(JWTClaimsSet claims) {
    try {
      byte[] secret = rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
      return sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), claims, new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token ({@code alg: none}). */
  public static String unsigned(JWTClaimsSet claims) {
    return new PlainJWT(claims).serialize();
  }

  private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) throws JOSEException {
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(signer);
    return jwt.serialize();
  }
}
