package io.tollgate.broker.invoicing.verification;

import com.google.protobuf.Message;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import java.util.List;
import java.util.Map;

/**
 * What a verification reads, every journal in its own sequence-number order: the catalog's
 * changes (accounts, products, plans, subscriptions and their plan history), the usage journals
 * of subscriptions (by subscription id) and the billing journals of accounts (by account id:
 * invoices, credit notes, voids, top-ups, revenue credits as journaled). Nothing of a running
 * entity's memory: the documents are checked against the record they were made from.
 */
public record Journals(List<CatalogChange> catalog, Map<String, List<CursorsAdvanced>> usage,
                       Map<String, List<Message>> billing) {
  public Journals {
    catalog = List.copyOf(catalog);
    usage = Map.copyOf(usage);
    billing = Map.copyOf(billing);
  }
}
