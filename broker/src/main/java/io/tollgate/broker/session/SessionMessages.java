package io.tollgate.broker.session;

import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.cluster.CloseSessionRequest;
import io.tollgate.protocols.v1.cluster.ListSessionsRequest;
import io.tollgate.protocols.v1.cluster.OpenSessionInfo;
import io.tollgate.protocols.v1.cluster.SessionClosed;
import io.tollgate.protocols.v1.cluster.SessionsListed;
import java.time.Instant;
import java.util.List;

/**
 * What the session directories of the nodes send each other, each with its manifest and its
 * Protobuf form (cluster.proto). A new message is one more entry here.
 */
public final class SessionMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.of("ListSessions", SessionDirectory.ListSessions.class, ListSessionsRequest.parser(),
          (list, refs) -> ListSessionsRequest.newBuilder().setAccount(list.account())
              .setReplyTo(refs.text(list.replyTo())).build(),
          (request, refs) -> new SessionDirectory.ListSessions(request.getAccount(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("SessionsListed", SessionDirectory.SessionsListed.class, SessionsListed.parser(),
          (listed, refs) -> SessionsListed.newBuilder()
              .addAllSessions(listed.sessions().stream().map(SessionMessages::info).toList()).build(),
          (listed, refs) -> new SessionDirectory.SessionsListed(
              listed.getSessionsList().stream().map(SessionMessages::session).toList())),
      MessageCodec.of("CloseSession", SessionDirectory.CloseSession.class, CloseSessionRequest.parser(),
          (close, refs) -> CloseSessionRequest.newBuilder().setSessionId(close.sessionId()).setAccount(close.account())
              .setActor(close.actor()).setReplyTo(refs.text(close.replyTo())).build(),
          (request, refs) -> new SessionDirectory.CloseSession(request.getSessionId(), request.getAccount(),
              request.getActor(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("SessionClosed", SessionDirectory.SessionClosed.class, SessionClosed.parser(),
          (closed, refs) -> SessionClosed.newBuilder().setClosed(closed.closed()).build(),
          (closed, refs) -> new SessionDirectory.SessionClosed(closed.getClosed())));

  private SessionMessages() {}

  private static OpenSessionInfo info(OpenSession session) {
    return OpenSessionInfo.newBuilder().setId(session.id()).setKind(session.kind().wireName())
        .setAccount(session.account()).setCredential(session.credential()).setSubscription(session.subscription())
        .setRemoteAddress(session.remoteAddress()).setOpenedAtMillis(session.openedAt().toEpochMilli())
        .setNode(session.node()).build();
  }

  private static OpenSession session(OpenSessionInfo info) {
    return new OpenSession(info.getId(), OpenSession.Kind.parse(info.getKind()), info.getAccount(),
        info.getCredential(), info.getSubscription(), info.getRemoteAddress(),
        Instant.ofEpochMilli(info.getOpenedAtMillis()), info.getNode());
  }
}
