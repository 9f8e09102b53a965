package io.tollgate.broker.http;

import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.AuthThrottle;
import io.tollgate.broker.auth.Authentication;
import io.tollgate.broker.auth.Authenticator;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.http.websocket.Handshake;
import io.tollgate.broker.console.ConsoleAssets;
import io.tollgate.broker.console.ConsoleRoutes;
import io.tollgate.broker.ops.Metrics;
import io.tollgate.broker.session.Credential;
import io.tollgate.broker.subscription.StreamFormat;
import io.tollgate.broker.subscription.LastEventId;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatcher0;
import org.apache.pekko.http.javadsl.server.PathMatcher1;
import org.apache.pekko.http.javadsl.server.PathMatcher2;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/** Every HTTP endpoint of a node: the management API, publishing, streams and operations. */
public final class HttpApi extends AllDirectives {
  private final Authenticator authenticator;
  private final AuthThrottle throttle;
  private final CatalogView view;
  private final AdminApi admin;
  private final CatalogApi catalogApi;
  private final BillingApi billing;
  private final VerificationApi verification;
  private final AuditApi audit;
  private final SessionsApi sessions;
  private final PublishApi publish;
  private final StreamsApi streams;
  private final AnalyticsApi analytics;
  private final WebhooksApi webhooks;
  private final AlertsApi alerts;
  private final ClusterApi cluster;
  private final Metrics metrics;
  private final Supplier<Optional<String>> whyNotReady;
  private final FieldLengths lengths;
  private final RequestBody requestBody;
  private final ConsoleRoutes console = new ConsoleRoutes(ConsoleAssets.fromClasspath());

  /**
   * {@code whyNotReady}: empty while the node serves, else what {@code /readyz} says;
   * {@code lengths}: how long a path's parameters may be (tollgate.limits.max-id-length).
   */
  public HttpApi(Authenticator authenticator, AuthThrottle throttle, CatalogView view, AdminApi admin, CatalogApi catalogApi,
                 BillingApi billing, VerificationApi verification, AuditApi audit, SessionsApi sessions,
                 PublishApi publish, StreamsApi streams, AnalyticsApi analytics, WebhooksApi webhooks, AlertsApi alerts,
                 ClusterApi cluster,
                 Metrics metrics, Supplier<Optional<String>> whyNotReady, FieldLengths lengths, RequestBody requestBody) {
    this.requestBody = requestBody;
    this.cluster = cluster;
    this.analytics = analytics;
    this.alerts = alerts;
    this.webhooks = webhooks;
    this.verification = verification;
    this.lengths = lengths;
    this.catalogApi = catalogApi;
    this.sessions = sessions;
    this.audit = audit;
    this.authenticator = authenticator;
    this.throttle = throttle;
    this.view = view;
    this.admin = admin;
    this.billing = billing;
    this.publish = publish;
    this.streams = streams;
    this.metrics = metrics;
    this.whyNotReady = whyNotReady;
    this.openApi = OpenApiDocument.of(endpoints());
  }

  /** The OpenAPI document of {@link #endpoints()}. */
  private final ObjectNode openApi;

  /** An endpoint: a method and a path whose {@code {name}} segments are parameters. */
  public record Endpoint(String method, String path) {}

  /** An endpoint and its route, given the endpoint's parameters in the order of its path. */
  private record Binding(Endpoint endpoint, Function<List<String>, Route> route) {}

  /** An endpoint of the API: the caller is authenticated first. */
  private interface Handler {
    Route handle(Principal principal, List<String> parameters);
  }

  private static Binding open(String method, String path, Supplier<Route> route) {
    return new Binding(new Endpoint(method, path), parameters -> route.get());
  }

  private Binding api(String method, String path, Handler handler) {
    return new Binding(new Endpoint(method, path), parameters -> sync(() -> checkedParameters(path, parameters),
        () -> authenticated(principal -> handler.handle(principal, parameters))));
  }

  /** Every parameter of a path is an identifier, so no longer than one may be ({@code field_too_long}). */
  private Void checkedParameters(String path, List<String> parameters) {
    List<String> names = java.util.Arrays.stream(path.split("/")).filter(HttpApi::isParameter).toList();
    for (int i = 0; i < parameters.size(); i++) {
      lengths.checked("path parameter " + names.get(i), parameters.get(i), FieldLengths.Kind.ID);
    }
    return null;
  }

  /**
   * Every endpoint the node serves over HTTP, and nothing else: the route is built from this
   * table alone, so a list of it is complete (TenantIsolationMatrixTest checks each one).
   */
  private List<Binding> bindings() {
    return List.of(
        open("GET", "/healthz", () -> complete(Responses.json(200, JsonBody.MAPPER.createObjectNode().put("status", "ok")))),
        open("GET", "/readyz", () -> complete(whyNotReady.get()
            .map(why -> Responses.error("not_ready", why))
            .orElseGet(() -> Responses.json(200, JsonBody.MAPPER.createObjectNode().put("status", "ready"))))),
        open("GET", "/metrics", () -> complete(HttpResponse.create().withEntity(
            HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape())))),
        open("GET", "/v1/openapi.json", () -> complete(Responses.json(200, openApi))),

        api("GET", "/v1/me", (principal, at) -> sync(() -> CallerApi.caller(principal))),
        api("GET", "/v1/cluster/members", (principal, at) -> sync(() -> cluster.members(principal))),
        api("POST", "/v1/accounts", (principal, at) -> withBody(body -> async(() -> admin.createAccount(principal, body)))),
        api("GET", "/v1/accounts", (principal, at) -> paged(page -> sync(() -> admin.listAccounts(principal, page)))),
        api("GET", "/v1/accounts/{account}", (principal, at) -> sync(() -> admin.getAccount(principal, at.get(0)))),
        api("POST", "/v1/accounts/{account}/keys", (principal, at) ->
            withBody(body -> async(() -> admin.createKey(principal, at.get(0), body)))),
        api("GET", "/v1/accounts/{account}/keys", (principal, at) -> paged(page -> sync(() -> admin.listKeys(principal, at.get(0), page)))),
        api("POST", "/v1/accounts/{account}/keys/{key}/rotate", (principal, at) ->
            withBody(body -> async(() -> admin.rotateKey(principal, at.get(0), at.get(1), body)))),
        api("DELETE", "/v1/accounts/{account}/keys/{key}", (principal, at) ->
            async(() -> admin.deleteKey(principal, at.get(0), at.get(1)))),
        api("GET", "/v1/accounts/{account}/sessions", (principal, at) -> async(() -> sessions.list(principal, at.get(0)))),
        api("DELETE", "/v1/accounts/{account}/sessions/{session}", (principal, at) ->
            async(() -> sessions.close(principal, at.get(0), at.get(1)))),
        api("GET", "/v1/accounts/{account}/usage", (principal, at) -> async(() -> billing.usage(principal, at.get(0)))),
        api("GET", "/v1/accounts/{account}/invoices/upcoming", (principal, at) ->
            async(() -> billing.upcomingInvoice(principal, at.get(0)))),
        api("GET", "/v1/accounts/{account}/invoices", (principal, at) ->
            csvOrJson(csv -> async(() -> billing.invoices(principal, at.get(0), csv)))),
        api("GET", "/v1/accounts/{account}/statements", (principal, at) ->
            csvOrJson(csv -> async(() -> billing.statements(principal, at.get(0), csv)))),
        api("GET", "/v1/accounts/{account}/wallet", (principal, at) -> async(() -> billing.wallet(principal, at.get(0)))),
        api("POST", "/v1/accounts/{account}/wallet/top-ups", (principal, at) ->
            withBody(body -> async(() -> billing.topUp(principal, at.get(0), body)))),
        api("POST", "/v1/accounts/{account}/alerts", (principal, at) ->
            withBody(body -> async(() -> alerts.create(principal, at.get(0), body)))),
        api("GET", "/v1/accounts/{account}/alerts", (principal, at) ->
            paged(page -> async(() -> alerts.list(principal, at.get(0), page)))),
        api("GET", "/v1/accounts/{account}/alerts/{alert}", (principal, at) ->
            async(() -> alerts.get(principal, at.get(0), at.get(1)))),
        api("DELETE", "/v1/accounts/{account}/alerts/{alert}", (principal, at) ->
            async(() -> alerts.delete(principal, at.get(0), at.get(1)))),

        api("GET", "/v1/invoices/{invoice}", (principal, at) -> async(() -> billing.invoice(principal, at.get(0)))),
        api("POST", "/v1/invoices/{invoice}/pay", (principal, at) ->
            async(() -> billing.changeStatus(principal, at.get(0), "paid"))),
        api("POST", "/v1/invoices/{invoice}/void", (principal, at) ->
            async(() -> billing.changeStatus(principal, at.get(0), "void"))),
        api("POST", "/v1/invoices/{invoice}/credit-notes", (principal, at) ->
            withBody(body -> async(() -> billing.creditNote(principal, at.get(0), body)))),
        api("GET", "/v1/billing/verification", (principal, at) ->
            parameterOptional("account", account -> async(() -> verification.verify(principal, account)))),

        api("POST", "/v1/domains", (principal, at) -> withBody(body -> async(() -> admin.createDomain(principal, body)))),
        api("GET", "/v1/domains", (principal, at) -> paged(page -> sync(() -> admin.listDomains(principal, page)))),
        api("GET", "/v1/domains/{domain}", (principal, at) -> sync(() -> admin.getDomain(principal, at.get(0)))),

        api("POST", "/v1/topics", (principal, at) -> withBody(body -> async(() -> admin.createTopic(principal, body)))),
        api("GET", "/v1/topics", (principal, at) -> paged(page -> sync(() -> admin.listTopics(principal, page)))),
        api("GET", "/v1/topics/{topic}", (principal, at) -> sync(() -> admin.getTopic(principal, at.get(0)))),
        api("POST", "/v1/topics/{topic}/schemas", (principal, at) ->
            withBody(body -> async(() -> admin.addSchema(principal, at.get(0), body)))),
        api("POST", "/v1/topics/{topic}/retention", (principal, at) ->
            withBody(body -> async(() -> admin.setRetention(principal, at.get(0), body)))),
        api("POST", "/v1/topics/{topic}/retire", (principal, at) -> async(() -> admin.retireTopic(principal, at.get(0)))),
        api("POST", "/v1/topics/{topic}/events", (principal, at) -> extractRequest(request ->
            withBody(body -> async(() -> publish.publish(principal, at.get(0), request, body))))),

        api("POST", "/v1/products", (principal, at) -> withBody(body -> async(() -> admin.createProduct(principal, body)))),
        api("GET", "/v1/products", (principal, at) -> paged(page -> sync(() -> admin.listProducts(principal, page)))),
        api("GET", "/v1/products/{product}", (principal, at) -> sync(() -> admin.getProduct(principal, at.get(0)))),
        api("PATCH", "/v1/products/{product}", (principal, at) ->
            withBody(body -> async(() -> admin.updateProduct(principal, at.get(0), body)))),
        api("POST", "/v1/products/{product}/retire", (principal, at) ->
            async(() -> admin.retireProduct(principal, at.get(0)))),
        api("GET", "/v1/products/{product}/asyncapi", (principal, at) -> optionalHeaderValueByName("Host", host ->
            sync(() -> catalogApi.asyncApi(principal, at.get(0), host)))),
        api("POST", "/v1/products/{product}/plans", (principal, at) ->
            withBody(body -> async(() -> admin.createPlan(principal, at.get(0), body)))),
        api("GET", "/v1/products/{product}/plans", (principal, at) -> paged(page -> sync(() -> admin.listPlans(principal, at.get(0), page)))),

        api("GET", "/v1/catalog", (principal, at) -> parameterMap(parameters -> sync(() -> {
          Map<String, String> search = new HashMap<>(parameters);
          search.remove("access_token");
          return catalogApi.search(principal, search);
        }))),
        api("GET", "/v1/plans/{plan}", (principal, at) -> sync(() -> admin.getPlan(principal, at.get(0)))),
        api("DELETE", "/v1/plans/{plan}", (principal, at) -> async(() -> admin.deletePlan(principal, at.get(0)))),
        api("PATCH", "/v1/plans/{plan}", (principal, at) ->
            withBody(body -> async(() -> admin.updatePlan(principal, at.get(0), body)))),
        api("POST", "/v1/plans/{plan}/retire", (principal, at) -> async(() -> admin.retirePlan(principal, at.get(0)))),

        api("POST", "/v1/subscriptions", (principal, at) ->
            withBody(body -> async(() -> admin.createSubscription(principal, body)))),
        api("GET", "/v1/subscriptions", (principal, at) -> paged(page -> sync(() -> admin.listSubscriptions(principal, page)))),
        api("GET", "/v1/subscriptions/{subscription}", (principal, at) ->
            async(() -> admin.getSubscription(principal, at.get(0)))),
        api("GET", "/v1/subscriptions/{subscription}/stream", (principal, at) ->
            withRequestTimeout(streams.handshakeTimeout(), () -> stream(principal, at.get(0)))),
        api("GET", "/v1/subscriptions/{subscription}/events", (principal, at) ->
            withRequestTimeout(streams.handshakeTimeout(), () -> events(principal, at.get(0)))),
        api("GET", "/v1/subscriptions/{subscription}/preview", (principal, at) -> parameterOptional("limit", limit ->
            async(() -> streams.preview(principal, at.get(0), limit)))),
        api("POST", "/v1/subscriptions/{subscription}/acks", (principal, at) ->
            withBody(body -> async(() -> streams.ack(principal, at.get(0), body)))),
        api("POST", "/v1/subscriptions/{subscription}/seek", (principal, at) ->
            withBody(body -> async(() -> streams.seek(principal, at.get(0), body)
                .thenCompose(moved -> admin.getSubscription(principal, at.get(0)))))),
        api("POST", "/v1/subscriptions/{subscription}/plan", (principal, at) ->
            withBody(body -> async(() -> admin.changePlan(principal, at.get(0), body)))),
        api("POST", "/v1/subscriptions/{subscription}/cancel", (principal, at) ->
            withBody(body -> async(() -> admin.cancelSubscription(principal, at.get(0), body)))),
        api("POST", "/v1/subscriptions/{subscription}/pause", (principal, at) ->
            async(() -> admin.pauseOrResume(principal, at.get(0), true))),
        api("POST", "/v1/subscriptions/{subscription}/resume", (principal, at) ->
            async(() -> admin.pauseOrResume(principal, at.get(0), false))),
        api("PUT", "/v1/subscriptions/{subscription}/webhook", (principal, at) ->
            withBody(body -> async(() -> webhooks.setEndpoint(principal, at.get(0), body)))),
        api("POST", "/v1/subscriptions/{subscription}/webhook/secret", (principal, at) ->
            async(() -> webhooks.rotateSecret(principal, at.get(0)))),
        api("GET", "/v1/subscriptions/{subscription}/webhook/attempts", (principal, at) ->
            parameterOptional("limit", limit -> parameterOptional("before", before ->
                async(() -> webhooks.attempts(principal, at.get(0), limit, before))))),
        api("GET", "/v1/subscriptions/{subscription}/webhook/dead-letters", (principal, at) ->
            parameterOptional("limit", limit -> parameterOptional("after", after ->
                async(() -> webhooks.deadLetters(principal, at.get(0), limit, after))))),
        api("POST", "/v1/subscriptions/{subscription}/webhook/dead-letters/replay", (principal, at) ->
            withBody(body -> async(() -> webhooks.replayDeadLetters(principal, at.get(0), body)))),
        api("DELETE", "/v1/subscriptions/{subscription}/webhook/dead-letters", (principal, at) ->
            parameterMap(query -> async(() -> webhooks.deleteDeadLetters(principal, at.get(0),
                name -> Optional.ofNullable(query.get(name)))))),

        api("GET", "/v1/analytics/{dimension}", (principal, at) -> parameterOptional("from", from ->
            parameterOptional("to", to -> parameterOptional("resolution", resolution -> parameterOptional("key", key ->
                async(() -> analytics.query(principal, at.get(0), from, to, resolution, key))))))),

        api("GET", "/v1/audit", (principal, at) -> parameterOptional("actor", actor ->
            parameterOptional("after", after -> parameterOptional("limit", limit ->
                async(() -> audit.changes(principal, actor, after, limit)))))));
  }

  /** Every endpoint of {@link #route()}. */
  public List<Endpoint> endpoints() {
    return bindings().stream().map(Binding::endpoint).toList();
  }

  public Route route() {
    List<Route> routes = new java.util.ArrayList<>(bindings().stream().map(HttpApi::bind).toList());
    // The web console: static files at / and /console/, outside the API's table (they hold no data).
    routes.add(console.route());
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () ->
        concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new))));
  }

  /** The endpoint's path as a path matcher of as many strings as it has parameters, and its method. */
  private static Route bind(Binding binding) {
    AllDirectives directives = new AllDirectives() { };
    List<String> segments = List.of(binding.endpoint().path().substring(1).split("/"));
    HttpMethod method = HttpMethods.lookup(binding.endpoint().method()).orElseThrow();
    int next = 1;
    PathMatcher0 none = PathMatchers.segment(segments.get(0));
    for (; next < segments.size() && !isParameter(segments.get(next)); next++) {
      none = none.slash(segments.get(next));
    }
    if (next == segments.size()) {
      return directives.path(none, () -> directives.method(method, () -> binding.route().apply(List.of())));
    }
    PathMatcher1<String> one = none.slash(PathMatchers.segment());
    for (next++; next < segments.size() && !isParameter(segments.get(next)); next++) {
      one = one.slash(segments.get(next));
    }
    if (next == segments.size()) {
      return directives.path(one, first -> directives.method(method, () -> binding.route().apply(List.of(first))));
    }
    PathMatcher2<String, String> two = one.slash(PathMatchers.segment());
    for (next++; next < segments.size() && !isParameter(segments.get(next)); next++) {
      two = two.slash(segments.get(next));
    }
    if (next == segments.size()) {
      return directives.path(two, (first, second) ->
          directives.method(method, () -> binding.route().apply(List.of(first, second))));
    }
    throw new IllegalArgumentException("an endpoint has at most two parameters: " + binding.endpoint());
  }

  private static boolean isParameter(String segment) {
    return segment.startsWith("{");
  }

  /** A list's page: {@code ?limit=} and {@code ?after=} (see Paging). */
  private Route paged(Function<Paging.PageRequest, Route> inner) {
    return parameterOptional("limit", limit -> parameterOptional("after", after -> {
      Paging.PageRequest page;
      try {
        page = Paging.PageRequest.parse(limit, after);
      } catch (Refusal refusal) {
        return complete(Responses.failure(refusal));
      }
      return inner.apply(page);
    }));
  }

  /** Exports are JSON unless {@code ?format=csv}. */
  private Route csvOrJson(Function<Boolean, Route> inner) {
    return parameterOptional("format", format -> {
      if (format.isPresent() && !format.get().equals("csv") && !format.get().equals("json")) {
        return complete(Responses.error("invalid_format", "format is json or csv"));
      }
      return inner.apply(format.map("csv"::equals).orElse(false));
    });
  }

  /**
   * A WebSocket stream. Its handshake may wait out the downing of a dead node that held the
   * subscription's entity, longer than the server's request timeout: hence its own.
   * Pekko HTTP has no WebSocket over HTTP/2 (RFC 8441's extended CONNECT), so
   * a request that came over HTTP/2 is told to open its WebSocket over HTTP/1.1 on the same port.
   */
  private Route stream(Principal principal, String subscriptionId) {
    return extractRequest(plain -> plain.protocol().value().equals("HTTP/2.0")
        ? complete(Responses.error("websocket_required", "a WebSocket stream opens over HTTP/1.1 (this request came "
            + "over HTTP/2, which carries no WebSocket here); connect with HTTP/1.1 to the same port, or read the "
            + "subscription as server-sent events at .../events, which HTTP/2 carries"))
        : extractWebSocketUpgrade(upgrade -> extractRequest(request -> headerValueByName("Sec-WebSocket-Key",
            key -> sync(() -> {
              streams.streamable(principal, subscriptionId);
              return null;
            }, () -> openStream(upgrade, key, subscriptionId, Credential.of(principal), remoteAddress(request)))))));
  }

  /** The stream ends when {@code credential} is revoked or runs out (see OpenSessions). */
  private Route openStream(WebSocketUpgrade upgrade, String key, String subscriptionId, Credential credential,
                           String remoteAddress) {
    Optional<String> subprotocol = java.util.stream.StreamSupport.stream(upgrade.getRequestedProtocols().spliterator(), false)
        .filter(p -> p.equals(StreamFormat.JSON_SUBPROTOCOL) || p.equals(StreamFormat.PROTOBUF_SUBPROTOCOL))
        .findFirst();
    StreamFormat format = StreamFormat.forSubprotocol(subprotocol.orElse(StreamFormat.JSON_SUBPROTOCOL));
    return onComplete(streams.openStream(subscriptionId, format, credential, remoteAddress), opened -> {
      if (opened.isFailure()) {
        return complete(Responses.failure(opened.failed().get()));
      }
      metrics.openStreams.inc();
      var connection = opened.get().watchTermination((notUsed, done) -> {
        done.whenComplete((ok, failure) -> metrics.openStreams.dec());
        return notUsed;
      });
      return complete(Handshake.accepted(key, subprotocol, connection));
    });
  }

  /** A server-sent event stream of the subscription; it ends like a WebSocket stream, with a last {@code error} event. */
  private Route events(Principal principal, String subscriptionId) {
    return extractRequest(request -> optionalHeaderValueByName("Accept", accept ->
        optionalHeaderValueByName("Last-Event-ID", lastEventId -> {
          LastEventId resume;
          try {
            resume = streams.eventStreamRequest(principal, subscriptionId, accept, lastEventId);
          } catch (RuntimeException refused) {
            return complete(Responses.failure(refused));
          }
          return onComplete(streams.openEvents(subscriptionId, Credential.of(principal), remoteAddress(request), resume),
              opened -> {
                if (opened.isFailure()) {
                  return complete(Responses.failure(opened.failed().get()));
                }
                metrics.openStreams.inc();
                var events = opened.get().watchTermination((notUsed, done) -> {
                  done.whenComplete((ok, failure) -> metrics.openStreams.dec());
                  return notUsed;
                });
                return complete(HttpResponse.create()
                    .addHeader(org.apache.pekko.http.javadsl.model.HttpHeader.parse("Cache-Control", "no-cache"))
                    .withEntity(HttpEntities.createChunked(MediaTypes.TEXT_EVENT_STREAM.toContentType(), events)));
              });
        })));
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
            return complete(Responses.error("unauthenticated",
                "send an API key or a token as \"Authorization: Bearer <key>\""));
          }
          String source = remoteAddress(request);
          Optional<java.time.Duration> wait = throttle.blocked(source);
          if (wait.isPresent()) {
            return complete(Responses.error("too_many_auth_failures", "too many failed authentications from "
                + source + "; retry in " + wait.get().toSeconds() + " s")
                .addHeader(org.apache.pekko.http.javadsl.model.HttpHeader.parse("Retry-After",
                    Long.toString(Math.max(1, wait.get().toSeconds())))));
          }
          Authentication authentication = authenticator.authenticate(secret.get());
          if (authentication instanceof Authentication.Accepted accepted) {
            return inner.apply(accepted.principal());
          }
          if (authentication instanceof Authentication.Unavailable unavailable) {
            return complete(Responses.error(unavailable.code(), unavailable.message())
                .addHeader(org.apache.pekko.http.javadsl.model.HttpHeader.parse("Retry-After", "1")));
          }
          Authentication.Refused refused = (Authentication.Refused) authentication;
          throttle.failed(source);
          HttpResponse response = Responses.error(refused.code(), refused.message());
          // RFC 6750: a refused bearer token says so in WWW-Authenticate; an unknown API key is just unknown.
          return complete(refused.code().equals("invalid_key") ? response : response.addHeader(
              org.apache.pekko.http.javadsl.model.HttpHeader.parse("WWW-Authenticate", "Bearer error=\"invalid_token\"")));
        })));
  }

  /** The socket's address, never X-Forwarded-For or similar headers a guesser could vary. */
  private static String remoteAddress(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    return request.getAttribute(org.apache.pekko.http.javadsl.model.AttributeKeys.remoteAddress)
        .flatMap(org.apache.pekko.http.javadsl.model.RemoteAddress::getAddress)
        .map(java.net.InetAddress::getHostAddress).orElse("unknown");
  }

  private Route withBody(Function<byte[], Route> inner) {
    return extractRequest(request -> extractMaterializer(materializer -> {
      CompletionStage<byte[]> body = requestBody.read(request, materializer);
      return onComplete(body, read -> read.isSuccess()
          ? inner.apply(read.get()) : complete(Responses.failure(read.failed().get())));
    }));
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
