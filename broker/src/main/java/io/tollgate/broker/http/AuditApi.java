package io.tollgate.broker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.audit.AuditEntries;
import io.tollgate.broker.audit.AuditIndex;
import io.tollgate.broker.audit.AuditReadSide;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.error.Refusal;
import io.tollgate.protocols.v1.journal.AuditEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The audit log: who changed what, and when: every catalog change and the billing actions on
 * each account (top-ups, invoices paid or voided, credit notes), with their actor and time. It
 * is answered by the audit read side ({@link AuditReadSide}), which indexes the journals
 * themselves, so it cannot disagree with what it describes and a page costs about what it
 * shows. Entries are ordered by time, then by journal and sequence number, which is also the
 * order {@code after} pages in.
 *
 * <p>The operator sees every entry. An account's admin key sees the catalog changes that account
 * made and the billing actions on that account (the operator's, as only it may take them).
 *
 * <p>The log keeps entries for {@code tollgate.audit.retention}, and fewer when its byte cap is
 * reached first. A page whose {@code after} lies before the oldest entry kept is refused
 * ({@code 410 audit_cursor_expired}) rather than answered from the oldest kept: pages never
 * silently skip an entry, so a reader learns that it missed some and starts again without
 * {@code after}.
 */
public final class AuditApi {
  static final int MAX_LIMIT = 1000;

  private final ActorRef<AuditReadSide.Command> readSide;
  private final ActorSystem<?> system;
  private final Duration timeout;

  public AuditApi(ActorRef<AuditReadSide.Command> readSide, ActorSystem<?> system, Duration timeout) {
    this.readSide = readSide;
    this.system = system;
    this.timeout = timeout;
  }

  /** Where the next page starts: {@code <at millis>.<journal>.<sequence>}. */
  private static String cursorOf(AuditEntry entry) {
    return entry.getAtMillis() + "." + entry.getJournal() + "." + entry.getSequence();
  }

  private static AuditIndex.Position positionOf(String cursor) {
    String[] parts = cursor.split("\\.");
    try {
      if (parts.length == 3 && !parts[1].isEmpty()) {
        return new AuditIndex.Position(Long.parseLong(parts[0]), parts[1], Long.parseLong(parts[2]));
      }
    } catch (NumberFormatException e) {
      // falls through to the refusal below
    }
    throw new Refusal("invalid_after", "\"after\" must be a next_after the audit log gave");
  }

  CompletionStage<HttpResponse> changes(Principal principal, Optional<String> actor, Optional<String> after,
                                        Optional<String> limitText) {
    Optional<String> account = Optional.empty();
    if (!principal.isOperator()) {
      Principal.OfAccount key = (Principal.OfAccount) principal;
      if (!key.may(Scope.ADMIN, key.accountId())) {
        throw Refusal.forbidden("the audit log takes the operator's key or an admin key");
      }
      // The log names every topic, product and key of the account: a document of the whole account.
      AccountReads.requireUnlimited(key, "the account's audit log");
      if (actor.isPresent() && !actor.get().equals(key.accountId())) {
        throw Refusal.forbidden("an account's key sees only the changes that account made");
      }
      account = Optional.of(key.accountId());
    }
    AuditIndex.Query query = new AuditIndex.Query(account, actor, after.map(AuditApi::positionOf), parseLimit(limitText));
    return AskPattern.<AuditReadSide.Command, AuditReadSide.PageOfEntries>ask(readSide,
            replyTo -> new AuditReadSide.GetPage(query, replyTo), timeout, system.scheduler())
        .thenApply(page -> {
          if (page.cursorExpired()) {
            throw new Refusal("audit_cursor_expired", "the audit log no longer keeps the entries after this \"after\": "
                + "they are past its retention or its size cap; start again without \"after\" from the oldest entry kept");
          }
          return Responses.json(200, render(page.entries()));
        });
  }

  private static int parseLimit(Optional<String> text) {
    try {
      int limit = text.map(Integer::parseInt).orElse(100);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // falls through to the refusal below
    }
    throw new Refusal("invalid_limit", "\"limit\" must be an integer between 1 and " + MAX_LIMIT);
  }

  private static ObjectNode render(List<AuditEntry> entries) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    ArrayNode data = body.putArray("data");
    for (AuditEntry entry : entries) {
      ObjectNode details;
      try {
        details = (ObjectNode) JsonBody.MAPPER.readTree(entry.getDetailsJson());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("the audit read side indexed an entry that is not JSON", e);
      }
      data.addObject().put("log", entry.getJournal().equals(AuditEntries.CATALOG) ? AuditEntries.CATALOG : "billing")
          .put("sequence", entry.getSequence()).put("at", Instant.ofEpochMilli(entry.getAtMillis()).toString())
          .put("actor", entry.getActor()).setAll(details);
    }
    if (!entries.isEmpty()) {
      body.put("next_after", cursorOf(entries.get(entries.size() - 1)));
    }
    return body;
  }
}
