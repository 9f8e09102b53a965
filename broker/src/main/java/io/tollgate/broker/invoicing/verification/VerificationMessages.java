package io.tollgate.broker.invoicing.verification;

import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.cluster.JournalPositions;
import io.tollgate.protocols.v1.journal.JournalsCopied;
import io.tollgate.protocols.v1.journal.VerificationCopySnapshot;
import java.util.List;
import java.util.Map;

/** What the verification's copy journals and answers across nodes (journal.proto, cluster.proto). */
public final class VerificationMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.stored(JournalsCopied.getDefaultInstance()),
      MessageCodec.stored(VerificationCopySnapshot.getDefaultInstance()),
      MessageCodec.replyOnly("VerificationReadPositionsRequest", VerificationCopy.GetReadPositions.class,
          VerificationCopy.GetReadPositions::replyTo, VerificationCopy.GetReadPositions::new),
      MessageCodec.of("VerificationReadPositions", VerificationCopy.Positions.class, JournalPositions.parser(),
          (positions, refs) -> JournalPositions.newBuilder().putAllPositions(positions.byJournal()).build(),
          (proto, refs) -> new VerificationCopy.Positions(Map.copyOf(proto.getPositionsMap()))));

  private VerificationMessages() {}
}
