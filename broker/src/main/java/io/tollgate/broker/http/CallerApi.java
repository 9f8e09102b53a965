package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Scope;
import java.util.Arrays;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Who the caller is: the operator, or an account's key or token with its scopes and resource
 * limits. The web console asks this once after sign-in to choose its views; it tells a credential
 * nothing about anyone else.
 */
final class CallerApi {
  private CallerApi() {}

  static HttpResponse caller(Principal principal) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode().put("operator", principal.isOperator());
    ArrayNode scopes = body.putArray("scopes");
    ArrayNode resources = body.putArray("resources");
    if (principal instanceof Principal.OfAccount account) {
      body.put("account", account.accountId());
      Arrays.stream(Scope.values()).filter(account.scopes()::contains).forEach(scope -> scopes.add(scope.wireName()));
      account.resources().forEach(resources::add);
      body.put("kind", account instanceof Principal.Token ? "token" : "key");
    } else {
      body.putNull("account");
      Arrays.stream(Scope.values()).forEach(scope -> scopes.add(scope.wireName()));
      body.put("kind", "key");
    }
    return Responses.json(200, body);
  }
}
