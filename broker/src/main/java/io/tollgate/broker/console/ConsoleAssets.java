package io.tollgate.broker.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Which file of the web console a path names. The console's own files are {@code
 * tollgate/console/*} on the classpath; the few it takes from WebJars (uPlot for charts, Swagger
 * UI for the OpenAPI document) are named one by one under {@code /console/vendor/}, so a path can
 * reach nothing else on the classpath. Every answer carries {@link #SECURITY_HEADERS}.
 */
public final class ConsoleAssets {
  /**
   * Scripts, styles, images and requests from the node itself only: no inline script or style,
   * no eval, no frames, no plugins. Data from the API is written into the page as text, never as
   * markup, so this is a second line of defence, not the first.
   */
  public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
      + "frame-ancestors 'none'";

  public static final Map<String, String> SECURITY_HEADERS = Map.of(
      "Content-Security-Policy", CONTENT_SECURITY_POLICY,
      "X-Content-Type-Options", "nosniff",
      "Referrer-Policy", "no-referrer",
      "Cache-Control", "no-cache");

  private static final String OWN = "tollgate/console/";
  private static final Pattern OWN_FILE = Pattern.compile("[a-z0-9-]+\\.(html|js|css|svg)");

  /** A classpath resource and its media type. */
  public record Asset(String resource, String mediaType) {}

  private final Map<String, String> vendor;

  private ConsoleAssets(Map<String, String> vendor) {
    this.vendor = vendor;
  }

  /** The assets of the WebJars on the classpath, at whichever version the build put there. */
  public static ConsoleAssets fromClasspath() {
    String uplot = webjar("org.webjars.npm", "uplot");
    String swagger = webjar("org.webjars", "swagger-ui");
    return new ConsoleAssets(Map.of(
        "uPlot.esm.js", uplot + "dist/uPlot.esm.js",
        "uPlot.min.css", uplot + "dist/uPlot.min.css",
        "swagger-ui-bundle.js", swagger + "swagger-ui-bundle.js",
        "swagger-ui.css", swagger + "swagger-ui.css"));
  }

  /** {@code path}: the request's path without its leading slash; empty for the console's page. */
  public Optional<Asset> resolve(String path) {
    if (path.isEmpty()) {
      return Optional.of(new Asset(OWN + "index.html", mediaTypeOf("index.html")));
    }
    if (path.startsWith("console/vendor/")) {
      String name = path.substring("console/vendor/".length());
      return Optional.ofNullable(vendor.get(name)).map(resource -> new Asset(resource, mediaTypeOf(name)));
    }
    if (path.startsWith("console/")) {
      String name = path.substring("console/".length());
      return OWN_FILE.matcher(name).matches() ? Optional.of(new Asset(OWN + name, mediaTypeOf(name))) : Optional.empty();
    }
    return Optional.empty();
  }

  static String mediaTypeOf(String name) {
    String extension = name.substring(name.lastIndexOf('.') + 1);
    return switch (extension) {
      case "html" -> "text/html; charset=UTF-8";
      case "js" -> "text/javascript; charset=UTF-8";
      case "css" -> "text/css; charset=UTF-8";
      case "svg" -> "image/svg+xml";
      default -> throw new IllegalArgumentException("no media type for " + name);
    };
  }

  /** {@code META-INF/resources/webjars/<artifact>/<version>/}, from the jar's own pom.properties. */
  private static String webjar(String group, String artifact) {
    String properties = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(properties)) {
      if (in == null) {
        throw new IllegalStateException("the WebJar " + group + ":" + artifact + " is not on the classpath");
      }
      Properties read = new Properties();
      read.load(in);
      return "META-INF/resources/webjars/" + artifact + "/" + read.getProperty("version") + "/";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
