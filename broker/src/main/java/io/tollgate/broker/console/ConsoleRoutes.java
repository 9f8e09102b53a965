package io.tollgate.broker.console;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console over HTTP: {@code GET /} and {@code GET /console/...} answer the files {@link
 * ConsoleAssets} names, with its security headers. The console holds no data and needs no
 * credential; everything it shows it asks of the API with the caller's own key or token.
 */
public final class ConsoleRoutes extends AllDirectives {
  private final ConsoleAssets assets;
  private final List<HttpHeader> headers;

  public ConsoleRoutes(ConsoleAssets assets) {
    this.assets = assets;
    this.headers = ConsoleAssets.SECURITY_HEADERS.entrySet().stream()
        .map(header -> HttpHeader.parse(header.getKey(), header.getValue())).toList();
  }

  /**
   * The path first, then the method: a path that names no asset is left to the other routes
   * untouched, so a POST to an unknown API path is still a 404, not a 405 that names GET.
   */
  public Route route() {
    return extractUnmatchedPath(path -> assets.resolve(path.startsWith("/") ? path.substring(1) : path)
        .map(asset -> get(() -> respondWithHeaders(headers, () -> getFromResource(asset.resource(), contentType(asset)))))
        .orElseGet(this::reject));
  }

  private static ContentType contentType(ConsoleAssets.Asset asset) {
    return ContentTypes.parse(asset.mediaType());
  }
}
