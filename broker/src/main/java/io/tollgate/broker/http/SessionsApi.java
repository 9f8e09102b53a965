package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.session.OpenSession;
import io.tollgate.broker.session.SessionDirectory;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * An account's open sessions (WebSocket streams and TCP publish connections) on every node of
 * the cluster, and closing one. The operator may list and close any account's; an account's
 * own {@code admin} key (or token), if it is not limited to resources, its own: it may need to
 * end what a leaked key opened. Others are told the account does not exist.
 */
public final class SessionsApi {
  private final CatalogView view;
  private final ActorSystem<?> system;
  private final Duration timeout;

  public SessionsApi(CatalogView view, ActorSystem<?> system, Duration timeout) {
    this.view = view;
    this.system = system;
    this.timeout = timeout;
  }

  CompletionStage<HttpResponse> list(Principal principal, String accountId) {
    requireSessionAdmin(principal, accountId);
    return SessionDirectory.list(system, accountId, timeout).thenApply(listing -> {
      ObjectNode body = JsonBody.MAPPER.createObjectNode();
      ArrayNode data = body.putArray("data");
      listing.sessions().forEach(session -> data.add(render(session)));
      // A node that did not answer in time may hold more of the account's sessions.
      body.put("nodes_unanswered", listing.unanswered());
      return Responses.json(200, body);
    });
  }

  CompletionStage<HttpResponse> close(Principal principal, String accountId, String sessionId) {
    requireSessionAdmin(principal, accountId);
    return SessionDirectory.close(system, sessionId, accountId, principal.actor(), timeout).thenApply(closed -> {
      if (!closed) {
        throw new Refusal("session_not_found", "account " + accountId + " has no open session " + sessionId);
      }
      return HttpResponse.create().withStatus(204);
    });
  }

  private void requireSessionAdmin(Principal principal, String accountId) {
    view.catalog().account(accountId).filter(account -> AccountReads.isTenantOf(principal, account.id()))
        .orElseThrow(() -> new Refusal("account_not_found", "account " + accountId + " does not exist"));
    if (!principal.may(Scope.ADMIN, accountId)) {
      throw Refusal.forbidden("the sessions of account " + accountId + " take the operator's key or an admin key"
          + " of " + accountId);
    }
    AccountReads.requireUnlimited(principal, "the account's sessions");
  }

  private static ObjectNode render(OpenSession session) {
    ObjectNode node = JsonBody.MAPPER.createObjectNode().put("id", session.id()).put("kind", session.kind().wireName())
        .put("account", session.account()).put("credential", session.credential());
    if (!session.subscription().isEmpty()) {
      node.put("subscription", session.subscription());
    }
    return node.put("remote_address", session.remoteAddress()).put("opened_at", session.openedAt().toString())
        .put("node", session.node());
  }
}
