package io.tollgate.broker.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import org.apache.pekko.http.javadsl.server.PathMatchers;

import io.tollgate.broker.ApiException;
import io.tollgate.broker.auth.AuthThrottle;
import io.tollgate.broker.auth.Authentication;
import io.tollgate.broker.auth.Authenticator;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.ops.Metrics;
import io.tollgate.broker.subscription.StreamFormat;
import io.tollgate.broker.subscription.StreamSession;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** Every HTTP endpoint of a node: the management API, publishing, streams and operations. */
public final class HttpApi extends AllDirectives {
  private final Authenticator authenticator;
  private final AuthThrottle throttle;
  private final CatalogView view;
  private final AdminApi admin;
  private final CatalogApi catalogApi;
  private final BillingApi billing;
  private final AuditApi audit;
  private final PublishApi publish;
  private final StreamSession streams;
  private final Metrics metrics;
  private final BooleanSupplier ready;

  public HttpApi(Authenticator authenticator, AuthThrottle throttle, CatalogView view, AdminApi admin, CatalogApi catalogApi,
                 BillingApi billing, AuditApi audit, PublishApi publish, StreamSession streams, Metrics metrics,
                 BooleanSupplier ready) {
    this.catalogApi = catalogApi;
    this.audit = audit;
    this.authenticator = authenticator;
    this.throttle = throttle;
    this.view = view;
    this.admin = admin;
    this.billing = billing;
    this.publish = publish;
    this.streams = streams;
    this.metrics = metrics;
    this.ready = ready;
  }

  public Route route() {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> concat(
        path("healthz", () -> get(() -> complete(Responses.json(200, JsonBody.MAPPER.createObjectNode().put("status", "ok"))))),
        path("readyz", () -> get(() -> complete(ready.getAsBoolean()
            ? Responses.json(200, JsonBody.MAPPER.createObjectNode().put("status", "ready"))
            : Responses.error(503, "not_ready", "the node is starting or stopping")))),
        path("metrics", () -> get(() -> complete(HttpResponse.create().withEntity(
            HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape()))))),
        pathPrefix("v1", this::v1))));
  }

  private Route v1() {
    return concat(
        pathPrefix("accounts", this::accounts),
        pathPrefix("domains", this::domains),
        pathPrefix("topics", this::topics),
        pathPrefix("products", this::products),
        path("catalog", () -> get(() -> authenticated(principal -> parameterMap(parameters -> sync(() -> {
          Map<String, String> search = new HashMap<>(parameters);
          search.remove("access_token");
          return catalogApi.search(principal, search);
        }))))),
        pathPrefix("plans", () -> authenticated(principal -> path(segment(), planId -> concat(
            get(() -> sync(() -> admin.getPlan(principal, planId))),
            delete(() -> async(() -> admin.deletePlan(principal, planId))))))),
        pathPrefix("subscriptions", this::subscriptions),
        pathPrefix("invoices", this::invoices),
        path("audit", () -> get(() -> authenticated(principal -> parameterOptional("actor", actor ->
            parameterOptional("after", after -> parameterOptional("limit", limit ->
                async(() -> audit.changes(principal, actor, after, limit)))))))));
  }

  private Route accounts() {
    return concat(
        pathEnd(() -> authenticated(principal -> concat(
            post(() -> withBody(body -> async(() -> admin.createAccount(principal, body)))),
            get(() -> sync(() -> admin.listAccounts(principal)))))),
        pathPrefix(segment(), accountId -> authenticated(principal -> concat(
            pathEnd(() -> get(() -> sync(() -> admin.getAccount(principal, accountId)))),
            path("keys", () -> concat(
                post(() -> withBody(body -> async(() -> admin.createKey(principal, accountId, body)))),
                get(() -> sync(() -> admin.listKeys(principal, accountId))))),
            path(PathMatchers.segment("keys").slash(segment()).slash("rotate"), keyId ->
                post(() -> withBody(body -> async(() -> admin.rotateKey(principal, accountId, keyId, body))))),
            path("usage", () -> get(() -> async(() -> billing.usage(principal, accountId)))),
            path(PathMatchers.segment("invoices").slash("upcoming"), () ->
                get(() -> async(() -> billing.upcomingInvoice(principal, accountId)))),
            path("invoices", () -> get(() -> csvOrJson(csv -> async(() -> billing.invoices(principal, accountId, csv))))),
            path("statements", () -> get(() -> csvOrJson(csv -> async(() -> billing.statements(principal, accountId, csv))))),
            path("wallet", () -> get(() -> async(() -> billing.wallet(principal, accountId)))),
            path(PathMatchers.segment("wallet").slash("top-ups"), () ->
                post(() -> withBody(body -> async(() -> billing.topUp(principal, accountId, body)))))))));
  }

  private Route invoices() {
    return authenticated(principal -> pathPrefix(segment(), invoiceId -> concat(
        pathEnd(() -> get(() -> async(() -> billing.invoice(principal, invoiceId)))),
        path("pay", () -> post(() -> async(() -> billing.changeStatus(principal, invoiceId, "paid")))),
        path("void", () -> post(() -> async(() -> billing.changeStatus(principal, invoiceId, "void")))),
        path("credit-notes", () -> post(() -> withBody(body -> async(() -> billing.creditNote(principal, invoiceId, body))))))));
  }

  /** Exports are JSON unless {@code ?format=csv}. */
  private Route csvOrJson(Function<Boolean, Route> inner) {
    return parameterOptional("format", format -> {
      if (format.isPresent() && !format.get().equals("csv") && !format.get().equals("json")) {
        return complete(Responses.error(400, "invalid_format", "format is json or csv"));
      }
      return inner.apply(format.map("csv"::equals).orElse(false));
    });
  }

  private Route domains() {
    return authenticated(principal -> concat(
        pathEnd(() -> concat(
            post(() -> withBody(body -> async(() -> admin.createDomain(principal, body)))),
            get(() -> sync(() -> admin.listDomains(principal))))),
        path(segment(), name -> get(() -> sync(() -> admin.getDomain(principal, name))))));
  }

  private Route topics() {
    return authenticated(principal -> concat(
        pathEnd(() -> concat(
            post(() -> withBody(body -> async(() -> admin.createTopic(principal, body)))),
            get(() -> sync(() -> admin.listTopics(principal))))),
        pathPrefix(segment(), topic -> concat(
            pathEnd(() -> get(() -> sync(() -> admin.getTopic(principal, topic)))),
            path("schemas", () -> post(() -> withBody(body -> async(() -> admin.addSchema(principal, topic, body))))),
            path("events", () -> post(() -> extractRequest(request ->
                withBody(body -> async(() -> publish.publish(principal, topic, request, body))))))))));
  }

  private Route products() {
    return authenticated(principal -> concat(
        pathEnd(() -> concat(
            post(() -> withBody(body -> async(() -> admin.createProduct(principal, body)))),
            get(() -> sync(() -> admin.listProducts(principal))))),
        pathPrefix(segment(), productId -> concat(
            pathEnd(() -> get(() -> sync(() -> admin.getProduct(principal, productId)))),
            path("asyncapi", () -> get(() -> optionalHeaderValueByName("Host", host ->
                sync(() -> catalogApi.asyncApi(principal, productId, host))))),
            path("plans", () -> concat(
                post(() -> withBody(body -> async(() -> admin.createPlan(principal, productId, body)))),
                get(() -> sync(() -> admin.listPlans(principal, productId)))))))));
  }

  private Route subscriptions() {
    return authenticated(principal -> concat(
        pathEnd(() -> concat(
            post(() -> withBody(body -> async(() -> admin.createSubscription(principal, body)))),
            get(() -> sync(() -> admin.listSubscriptions(principal))))),
        pathPrefix(segment(), subscriptionId -> concat(
            pathEnd(() -> get(() -> async(() -> admin.getSubscription(principal, subscriptionId)))),
            path("stream", () -> get(() -> stream(principal, subscriptionId))),
            path("plan", () -> post(() -> withBody(body -> async(() -> admin.changePlan(principal, subscriptionId, body)))))))));
  }

  private Route stream(Principal principal, String subscriptionId) {
    return extractWebSocketUpgrade(upgrade -> sync(() -> {
      Catalog catalog = view.catalog();
      Catalog.Subscription subscription = catalog.subscription(subscriptionId)
          .filter(s -> principal.isOperator() || principal instanceof Principal.OfAccount caller && caller.accountId().equals(s.account()))
          .orElseThrow(() -> ApiException.notFound("subscription_not_found", "subscription " + subscriptionId + " does not exist"));
      if (!principal.may(Scope.SUBSCRIBE, subscription.account()) || !principal.reaches(subscription.product())) {
        throw ApiException.forbidden("streaming takes a key with the subscribe scope of account " + subscription.account());
      }
      return null;
    }, () -> openStream(upgrade, subscriptionId,
        principal instanceof Principal.Token token ? Optional.of(token.validUntil()) : Optional.empty())));
  }

  /** {@code closeAt}: when the token that opened the stream expires, and the stream with it. */
  private Route openStream(WebSocketUpgrade upgrade, String subscriptionId, Optional<java.time.Instant> closeAt) {
    Optional<String> subprotocol = java.util.stream.StreamSupport.stream(upgrade.getRequestedProtocols().spliterator(), false)
        .filter(p -> p.equals(StreamFormat.JSON_SUBPROTOCOL) || p.equals(StreamFormat.PROTOBUF_SUBPROTOCOL))
        .findFirst();
    StreamFormat format = StreamFormat.forSubprotocol(subprotocol.orElse(StreamFormat.JSON_SUBPROTOCOL));
    Catalog catalog = view.catalog();
    Catalog.Subscription subscription = catalog.subscription(subscriptionId).orElseThrow();
    return onComplete(streams.open(catalog, subscription, format, closeAt), opened -> {
      if (opened.isFailure()) {
        return complete(Responses.failure(opened.failed().get()));
      }
      metrics.openStreams.inc();
      var flow = opened.get().watchTermination((notUsed, done) -> {
        done.whenComplete((ok, failure) -> metrics.openStreams.dec());
        return notUsed;
      });
      return complete(subprotocol.map(p -> upgrade.handleMessagesWith(flow, p))
          .orElseGet(() -> upgrade.handleMessagesWith(flow)));
    });
  }

  // ---- building blocks ------------------------------------------------------------------

  /**
   * The caller, from {@code Authorization: Bearer <key or JWT>} or, where headers cannot be set
   * (a browser's WebSocket), an {@code access_token} query parameter.
   */
  private Route authenticated(Function<Principal, Route> inner) {
    return extractRequest(request -> optionalHeaderValueByName("Authorization", header ->
        parameterOptional("access_token", token -> {
          Optional<String> secret = header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
              .map(h -> h.substring(7).trim())
              .or(() -> token);
          if (secret.isEmpty()) {
            return complete(Responses.error(401, "unauthenticated",
                "send an API key or a token as \"Authorization: Bearer <key>\""));
          }
          // The socket's address, never X-Forwarded-For or similar headers a guesser could vary.
          String source = request.getAttribute(org.apache.pekko.http.javadsl.model.AttributeKeys.remoteAddress)
              .flatMap(org.apache.pekko.http.javadsl.model.RemoteAddress::getAddress)
              .map(java.net.InetAddress::getHostAddress).orElse("unknown");
          Optional<java.time.Duration> wait = throttle.blocked(source);
          if (wait.isPresent()) {
            return complete(Responses.error(429, "too_many_auth_failures", "too many failed authentications from "
                + source + "; retry in " + wait.get().toSeconds() + " s")
                .addHeader(org.apache.pekko.http.javadsl.model.HttpHeader.parse("Retry-After",
                    Long.toString(Math.max(1, wait.get().toSeconds())))));
          }
          Authentication authentication = authenticator.authenticate(secret.get());
          if (authentication instanceof Authentication.Accepted accepted) {
            throttle.succeeded(source);
            return inner.apply(accepted.principal());
          }
          if (authentication instanceof Authentication.Unavailable unavailable) {
            return complete(Responses.error(503, "jwks_unavailable", unavailable.message()));
          }
          Authentication.Refused refused = (Authentication.Refused) authentication;
          throttle.failed(source);
          HttpResponse response = Responses.error(401, refused.code(), refused.message());
          // RFC 6750: a refused bearer token says so in WWW-Authenticate; an unknown API key is just unknown.
          return complete(refused.code().equals("invalid_key") ? response : response.addHeader(
              org.apache.pekko.http.javadsl.model.HttpHeader.parse("WWW-Authenticate", "Bearer error=\"invalid_token\"")));
        })));
  }

  private Route withBody(Function<byte[], Route> inner) {
    return entity(Unmarshaller.entityToByteString(), bytes -> inner.apply(bytes.toArrayUnsafe()));
  }

  private Route async(Supplier<CompletionStage<HttpResponse>> handler) {
    CompletionStage<HttpResponse> response;
    try {
      response = handler.get();
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    return completeWithFuture(response.exceptionally(Responses::failure));
  }

  private Route sync(Supplier<HttpResponse> handler) {
    try {
      return complete(handler.get());
    } catch (RuntimeException e) {
      return complete(Responses.failure(e));
    }
  }

  /** Runs a check that throws on refusal, then the route. */
  private Route sync(Supplier<Void> check, Supplier<Route> then) {
    try {
      check.get();
    } catch (RuntimeException e) {
      return complete(Responses.failure(e));
    }
    return then.get();
  }

  private static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(failure -> new AllDirectives() { }.complete(Responses.failure(failure)))
        .build();
  }

  /** Pekko HTTP's own refusals (unknown path, wrong method, too large...) in our error shape. */
  private static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.entity().getContentType().mediaType().toString().equals("application/json")) {
        return response;
      }
      String text = response.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
          ? strict.getData().utf8String() : response.status().reason();
      int status = response.status().intValue();
      String code = text.startsWith("Expected WebSocket") ? "websocket_required" : Responses.codeForStatus(status);
      return Responses.error(status, code, text);
    });
  }
}
