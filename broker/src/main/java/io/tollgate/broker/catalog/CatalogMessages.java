package io.tollgate.broker.catalog;

import io.tollgate.broker.error.Rejection;
import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.protocols.v1.cluster.CatalogReply;
import io.tollgate.protocols.v1.cluster.CatalogRequest;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CatalogSnapshot;
import java.util.List;

/**
 * What the catalog journals and sends across nodes, each with its manifest and its Protobuf
 * form (cluster.proto, journal.proto). A new message is one more entry here.
 */
public final class CatalogMessages {
  public static final List<MessageCodec<?, ?>> CODECS = List.of(
      MessageCodec.stored(CatalogChange.getDefaultInstance()),
      MessageCodec.stored(CatalogSnapshot.getDefaultInstance()),
      MessageCodec.of("CatalogApply", CatalogEntity.Apply.class, CatalogRequest.parser(),
          (apply, refs) -> CatalogRequest.newBuilder().setChange(apply.change())
              .setReplyTo(refs.text(apply.replyTo())).build(),
          (request, refs) -> new CatalogEntity.Apply(request.getChange(), refs.ref(request.getReplyTo()))),
      MessageCodec.of("CatalogReply", CatalogEntity.Result.class, CatalogReply.parser(),
          (result, refs) -> catalogReply(result),
          (reply, refs) -> reply.getErrorCode().isEmpty() ? new CatalogEntity.Applied(reply.getSequence())
              : new CatalogEntity.Rejected(new Rejection(reply.getErrorCode(), reply.getErrorMessage()))),
      MessageCodec.replyOnly("CatalogGetVersion", CatalogEntity.GetVersion.class, CatalogEntity.GetVersion::replyTo,
          CatalogEntity.GetVersion::new));

  private CatalogMessages() {}

  private static CatalogReply catalogReply(CatalogEntity.Result result) {
    if (result instanceof CatalogEntity.Rejected rejected) {
      return CatalogReply.newBuilder().setErrorCode(rejected.rejection().code())
          .setErrorMessage(rejected.rejection().message()).build();
    }
    return CatalogReply.newBuilder().setSequence(((CatalogEntity.Applied) result).version()).build();
  }
}
