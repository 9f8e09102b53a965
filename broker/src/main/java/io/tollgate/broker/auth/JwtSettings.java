package io.tollgate.broker.auth;

import com.typesafe.config.Config;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How JWT bearer tokens are checked ({@code tollgate.auth.jwt}). Tokens are accepted only when
 * a JWKS is configured, and then only with an issuer and an audience: a token minted for
 * another service of the same identity provider must not open Tollgate.
 *
 * @param jwksFile a JWKS read once at start
 * @param jwksUrl a JWKS fetched over HTTPS (plain HTTP only from this machine) and kept for {@code jwksCache}
 * @param scopesClaim the claim with Tollgate's scopes: a space-separated string or an array
 * @param accountClaim the claim naming the Tollgate account the token acts for
 * @param resourcesClaim the claim with the topics and products the token is limited to (optional)
 * @param clockSkew how far the issuer's clock may be off: added to {@code exp}, taken off {@code nbf}
 */
public record JwtSettings(String issuer, String audience, Optional<Path> jwksFile, Optional<URL> jwksUrl,
                          Duration jwksCache, String scopesClaim, String accountClaim, String resourcesClaim,
                          Duration clockSkew) {
  public JwtSettings {
    if (jwksFile.isPresent() == jwksUrl.isPresent()) {
      throw new IllegalArgumentException("takes one of jwks-file and jwks-url");
    }
    if (issuer.isBlank() || audience.isBlank()) {
      throw new IllegalArgumentException("needs an issuer and an audience");
    }
    if (jwksUrl.isPresent() && !jwksUrl.get().getProtocol().equals("https") && !isLoopback(jwksUrl.get().getHost())) {
      throw new IllegalArgumentException("jwks-url must be https (or on this machine): whoever can change the JWKS "
          + "in transit can sign tokens");
    }
    if (clockSkew.isNegative()) {
      throw new IllegalArgumentException("clock-skew must not be negative");
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
  }

  /** The settings when a JWKS is configured; empty (tokens refused as unknown keys) otherwise. */
  public static Optional<JwtSettings> fromConfig(Config jwt) {
    String file = jwt.getString("jwks-file");
    String url = jwt.getString("jwks-url");
    if (file.isBlank() && url.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new JwtSettings(jwt.getString("issuer"), jwt.getString("audience"),
          file.isBlank() ? Optional.empty() : Optional.of(Path.of(file)),
          url.isBlank() ? Optional.empty() : Optional.of(URI.create(url).toURL()),
          jwt.getDuration("jwks-cache"), jwt.getString("scopes-claim"), jwt.getString("account-claim"),
          jwt.getString("resources-claim"), jwt.getDuration("clock-skew")));
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("tollgate.auth.jwt: " + e.getMessage(), e);
    }
  }
}
