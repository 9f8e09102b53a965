package io.tollgate.broker.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.tollgate.broker.catalog.Scope;
import java.io.IOException;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks JWT bearer tokens: the signature first, with an asymmetric algorithm and a key of the
 * configured JWKS, then (only for a token whose signature holds) issuer, audience, expiry and
 * not-before on the node's clock, and finally the claims that say which account it acts for,
 * with which scopes and resources. Unsigned ({@code alg: none}) and HMAC tokens are refused:
 * with public keys in a JWKS, an HMAC "signature" could be made by anyone who has them.
 */
public final class JwtVerifier {
  /** RSA and EC signatures only. */
  public static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private static final String ALGORITHM_NAMES = ALGORITHMS.stream().map(JWSAlgorithm::getName).sorted()
      .collect(Collectors.joining(", "));

  private final JwtSettings settings;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  private static final int JWKS_FETCH_TIMEOUT_MILLIS = 5_000;

  JwtVerifier(JwtSettings settings, JWKSource<SecurityContext> keys) {
    this.settings = settings;
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    // Claims are checked below, on the node's clock and with a code for each refusal.
    processor.setJWTClaimsSetVerifier((claims, context) -> { });
  }

  /**
   * A verifier with the settings' JWKS: a file is read now, and must hold at least one public
   * RSA or EC key; a URL is fetched on first use and cached.
   */
  public static JwtVerifier of(JwtSettings settings) throws IOException {
    if (settings.jwksUrl().isPresent()) {
      long cacheMillis = settings.jwksCache().toMillis();
      // Nimbus's 500 ms to connect and to read failed the first fetch on a busy node, refusing
      // valid tokens as unavailable; a fetch is rare (the set is cached), so waiting longer costs little.
      DefaultResourceRetriever retriever = new DefaultResourceRetriever(JWKS_FETCH_TIMEOUT_MILLIS,
          JWKS_FETCH_TIMEOUT_MILLIS, JWKSourceBuilder.DEFAULT_HTTP_SIZE_LIMIT);
      return new JwtVerifier(settings, JWKSourceBuilder.<SecurityContext>create(settings.jwksUrl().get(), retriever)
          .cache(cacheMillis, JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
          .build());
    }
    JWKSet keys;
    try {
      keys = JWKSet.load(settings.jwksFile().orElseThrow().toFile()).toPublicJWKSet();
    } catch (ParseException e) {
      throw new IOException("tollgate.auth.jwt.jwks-file is not a JWKS: " + e.getMessage(), e);
    }
    List<JWK> usable = keys.getKeys().stream()
        .filter(key -> key.getKeyType().equals(KeyType.RSA) || key.getKeyType().equals(KeyType.EC)).toList();
    if (usable.isEmpty()) {
      throw new IOException("tollgate.auth.jwt.jwks-file has no public RSA or EC key");
    }
    return new JwtVerifier(settings, new ImmutableJWKSet<>(new JWKSet(usable)));
  }

  /** Whether the text is shaped like a signed or unsigned JWT (three base64url parts). */
  public static boolean looksLikeJwt(String text) {
    int first = text.indexOf('.');
    int second = first < 0 ? -1 : text.indexOf('.', first + 1);
    return first > 0 && second > first && text.indexOf('.', second + 1) < 0;
  }

  public Authentication verify(String token, Instant now) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      return Authentication.invalidToken("the bearer token is not a JWT");
    }
    if (jwt instanceof PlainJWT) {
      return Authentication.invalidToken("unsigned tokens (alg none) are refused");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      return Authentication.invalidToken("encrypted tokens are not supported; send a signed JWT");
    }
    JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(algorithm)) {
      return Authentication.invalidToken("tokens signed with " + algorithm + " are refused; the broker takes "
          + ALGORITHM_NAMES);
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(signed, null);
    } catch (KeySourceException e) {
      return new Authentication.Unavailable("the keys to check tokens could not be fetched: " + e.getMessage());
    } catch (BadJOSEException | JOSEException e) {
      return Authentication.invalidToken("the token's signature does not verify with a key of the issuer's JWKS");
    }
    return principalOf(claims, now, settings);
  }

  /** The principal verified claims stand for, or why they are refused. */
  static Authentication principalOf(JWTClaimsSet claims, Instant now, JwtSettings settings) {
    if (!settings.issuer().equals(claims.getIssuer())) {
      return Authentication.invalidToken("the token's issuer is not " + settings.issuer());
    }
    if (claims.getAudience() == null || !claims.getAudience().contains(settings.audience())) {
      return Authentication.invalidToken("the token's audience does not include " + settings.audience());
    }
    Date expires = claims.getExpirationTime();
    if (expires == null) {
      return Authentication.invalidToken("the token has no exp; tokens must expire");
    }
    Instant validUntil = expires.toInstant().plus(settings.clockSkew());
    if (now.isAfter(validUntil)) {
      return new Authentication.Refused("token_expired", "the token expired at " + expires.toInstant());
    }
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && now.isBefore(notBefore.toInstant().minus(settings.clockSkew()))) {
      return Authentication.invalidToken("the token is not valid before " + notBefore.toInstant());
    }
    if (!(claims.getClaim(settings.accountClaim()) instanceof String account) || account.isBlank()) {
      return Authentication.invalidToken("the token names no account in claim " + settings.accountClaim());
    }
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    Object scopeClaim = claims.getClaim(settings.scopesClaim());
    List<String> scopeNames = scopeClaim instanceof String text ? List.of(text.trim().split("\\s+"))
        : scopeClaim instanceof Collection<?> values ? values.stream().map(String::valueOf).toList() : List.of();
    scopeNames.forEach(name -> Scope.parse(name).ifPresent(scopes::add));
    if (scopes.isEmpty()) {
      return Authentication.invalidToken("the token grants none of Tollgate's scopes (admin, publish, subscribe, read) in claim "
          + settings.scopesClaim());
    }
    Object resourceClaim = claims.getClaim(settings.resourcesClaim());
    List<String> resources = new ArrayList<>();
    if (resourceClaim != null) {
      if (!(resourceClaim instanceof Collection<?> values)) {
        return Authentication.invalidToken("claim " + settings.resourcesClaim() + " must be an array of topic names and product ids");
      }
      for (Object value : values) {
        if (!(value instanceof String resource) || resource.isBlank()
            || resource.indexOf('*') >= 0 && resource.indexOf('*') != resource.length() - 1) {
          return Authentication.invalidToken("claim " + settings.resourcesClaim()
              + " holds topic names and product ids, with at most a trailing *: " + value);
        }
        resources.add(resource);
      }
      if (resources.isEmpty()) {
        return Authentication.invalidToken("claim " + settings.resourcesClaim()
            + " is empty; leave it out for a token that is not limited to resources");
      }
    }
    return new Authentication.Accepted(new Principal.Token(account, Set.copyOf(scopes),
        List.copyOf(resources), validUntil));
  }
}
