package io.tollgate.broker.audit;

import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.cluster.JournalPositions;
import io.tollgate.protocols.v1.journal.AuditIndexed;
import io.tollgate.protocols.v1.journal.AuditPage;
import io.tollgate.protocols.v1.journal.AuditPageRequest;
import io.tollgate.protocols.v1.journal.AuditSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the audit read side journals and answers across nodes, each with its manifest and its Protobuf form (audit.proto). */
public final class AuditMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.stored(AuditIndexed.getDefaultInstance()),
      MessageCodec.stored(AuditSnapshot.getDefaultInstance()),
      MessageCodec.of("AuditGetPage", AuditReadSide.GetPage.class, AuditPageRequest.parser(),
          (get, refs) -> request(get.query()).setReplyTo(refs.text(get.replyTo())).build(),
          (proto, refs) -> new AuditReadSide.GetPage(query(proto), refs.ref(proto.getReplyTo()))),
      MessageCodec.of("AuditPage", AuditReadSide.PageOfEntries.class, AuditPage.parser(),
          (page, refs) -> AuditPage.newBuilder().addAllEntries(page.entries()).setCursorExpired(page.cursorExpired())
              .build(),
          (proto, refs) -> new AuditReadSide.PageOfEntries(List.copyOf(proto.getEntriesList()), proto.getCursorExpired())),
      MessageCodec.replyOnly("AuditReadPositionsRequest", AuditReadSide.GetReadPositions.class,
          AuditReadSide.GetReadPositions::replyTo, AuditReadSide.GetReadPositions::new),
      MessageCodec.of("AuditReadPositions", AuditReadSide.Positions.class, JournalPositions.parser(),
          (positions, refs) -> JournalPositions.newBuilder().putAllPositions(positions.byJournal()).build(),
          (proto, refs) -> new AuditReadSide.Positions(Map.copyOf(proto.getPositionsMap()))));

  private AuditMessages() {}

  private static AuditPageRequest.Builder request(AuditIndex.Query query) {
    AuditPageRequest.Builder proto = AuditPageRequest.newBuilder().setAccount(query.account().orElse(""))
        .setActor(query.actor().orElse("")).setLimit(query.limit());
    query.after().ifPresent(after -> proto.setHasAfter(true).setAfterAtMillis(after.atMillis())
        .setAfterJournal(after.journal()).setAfterSequence(after.sequence()));
    return proto;
  }

  private static AuditIndex.Query query(AuditPageRequest proto) {
    return new AuditIndex.Query(nonEmpty(proto.getAccount()), nonEmpty(proto.getActor()),
        proto.getHasAfter() ? Optional.of(new AuditIndex.Position(proto.getAfterAtMillis(), proto.getAfterJournal(),
            proto.getAfterSequence())) : Optional.empty(), proto.getLimit());
  }

  private static Optional<String> nonEmpty(String text) {
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }
}
