package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.AsyncApiDocument;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogSearch;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.VisibleCatalog;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The catalog as a portal shows it: search over what the caller may see, and each product's
 * AsyncAPI document. The rules of what is seen are {@link VisibleCatalog}'s; this only translates.
 */
public final class CatalogApi {
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]{1,255}");

  private final CatalogView view;
  private final String advertisedHost;
  private final String boundHost;
  private final Optional<String> jwtIssuer;
  private final boolean tls;

  /**
   * {@code advertisedHost} empty: documents name the host the request was sent to.
   * {@code jwtIssuer}: the issuer whose bearer tokens the node accepts, if any.
   * {@code tls}: the HTTP port serves HTTPS and WSS, which the documents' servers then say.
   */
  public CatalogApi(CatalogView view, String advertisedHost, String boundHost, Optional<String> jwtIssuer, boolean tls) {
    this.view = view;
    this.tls = tls;
    this.advertisedHost = advertisedHost;
    this.boundHost = boundHost;
    this.jwtIssuer = jwtIssuer;
  }

  static VisibleCatalog visible(CatalogView view, Principal principal) {
    return new VisibleCatalog(view.catalog(), principal.viewer());
  }

  HttpResponse search(Principal principal, Map<String, String> parameters) {
    CatalogSearch.Query query = CatalogSearch.Query.parse(parameters);
    CatalogSearch.Page page = CatalogSearch.search(visible(view, principal), query);
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    ArrayNode data = body.putArray("data");
    for (CatalogSearch.Hit hit : page.hits()) {
      ObjectNode item = data.addObject().put("kind", hit.kind().wireName());
      item.setAll(render(hit.entry()));
    }
    page.nextAfter().ifPresent(next -> body.put("next_after", next));
    return Responses.json(200, body);
  }

  /** {@code requestHost}: the request's Host header, when it has a usable one. */
  HttpResponse asyncApi(Principal principal, String productId, Optional<String> requestHost) {
    VisibleCatalog catalog = visible(view, principal);
    Catalog.Product product = catalog.product(productId)
        .orElseThrow(() -> new Refusal("product_not_found", "product " + productId + " does not exist"));
    String host = !advertisedHost.isEmpty() ? advertisedHost
        : requestHost.filter(value -> HOST.matcher(value).matches()).orElse(boundHost);
    return Responses.json(200, AsyncApiDocument.of(catalog, product, host, jwtIssuer, tls));
  }

  private static ObjectNode render(Catalog.Entry entry) {
    if (entry instanceof Catalog.Product product) {
      return AdminApi.product(product);
    }
    if (entry instanceof Catalog.Plan plan) {
      return AdminApi.plan(plan);
    }
    if (entry instanceof Catalog.Topic topic) {
      return AdminApi.topic(topic);
    }
    return AdminApi.domain((Catalog.Domain) entry);
  }
}
