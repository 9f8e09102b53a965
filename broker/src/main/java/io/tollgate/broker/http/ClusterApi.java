package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.error.Refusal;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The cluster's members as the serving node sees them (Pekko Cluster's state): what the console's
 * operator overview shows. Pekko Management's {@code /cluster/members} says the same on the
 * management port, which the console cannot reach; this is its authenticated copy on the API port.
 * It names nodes' addresses, so only the operator reads it.
 */
public final class ClusterApi {
  private final Cluster cluster;

  public ClusterApi(Cluster cluster) {
    this.cluster = cluster;
  }

  HttpResponse members(Principal principal) {
    if (!principal.isOperator()) {
      throw Refusal.forbidden("only the operator's admin key may read the cluster's members");
    }
    ClusterEvent.CurrentClusterState state = cluster.state();
    Address self = cluster.selfMember().address();
    Optional<Address> leader = Optional.ofNullable(state.getLeader());
    Set<Member> unreachable = state.getUnreachable();
    ObjectNode body = JsonBody.MAPPER.createObjectNode().put("self", self.toString());
    leader.ifPresentOrElse(address -> body.put("leader", address.toString()), () -> body.putNull("leader"));
    ArrayNode data = body.putArray("data");
    StreamSupport.stream(state.getMembers().spliterator(), false).forEach(member -> {
      ObjectNode node = data.addObject().put("address", member.address().toString())
          .put("status", member.status().toString().toLowerCase(Locale.ROOT))
          .put("reachable", !unreachable.contains(member))
          .put("self", member.address().equals(self))
          .put("leader", leader.filter(member.address()::equals).isPresent())
          .put("data_center", member.dataCenter());
      ArrayNode roles = node.putArray("roles");
      member.getRoles().stream().filter(role -> !role.startsWith("dc-")).sorted().forEach(roles::add);
    });
    return Responses.json(200, body);
  }
}
