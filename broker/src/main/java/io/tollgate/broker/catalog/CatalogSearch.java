package io.tollgate.broker.catalog;

import io.tollgate.broker.error.Refusal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Searching what a viewer sees of the catalog: domains, topics, products and plans, best
 * matches first, a page at a time.
 *
 * <p>A hit's rank says how well its name (or id) matches the query: the name itself, a name or
 * one of its words starting with the query, the query inside the name, or every word of the
 * query somewhere in its text (a product's description and topics, a topic's domain, a plan's
 * product). Hits are ordered by rank, kind, name and key, a total order over entries that never
 * change, so {@code after} (the last hit of a page) continues exactly where the page ended even
 * while entries are added.
 */
public final class CatalogSearch {
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;
  public static final int MAX_QUERY_LENGTH = 200;
  public static final Set<String> PARAMETERS = Set.of("q", "kind", "limit", "after");
  private static final int RANKS = 4;

  private CatalogSearch() {}

  /** The kinds of entry, in the order hits of equal rank are listed: what is sold before what it is made of. */
  public enum Kind {
    PRODUCT, PLAN, TOPIC, DOMAIN;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Kind> parse(String text) {
      return Arrays.stream(values()).filter(kind -> kind.wireName().equals(text)).findFirst();
    }
  }

  /** A parsed search: lower-case text (empty: everything), the kinds wanted, page size and where the last page ended. */
  public record Query(String text, Set<Kind> kinds, int limit, Optional<Position> after) {
    /**
     * Reads the query parameters of a search, refusing each bad one with its own code:
     * {@code unknown_parameter}, {@code invalid_query}, {@code invalid_kind}, {@code invalid_limit},
     * {@code invalid_after}.
     */
    public static Query parse(Map<String, String> parameters) {
      for (String name : parameters.keySet()) {
        if (!PARAMETERS.contains(name)) {
          throw new Refusal("unknown_parameter", "unknown query parameter \"" + name
              + "\"; a catalog search takes " + String.join(", ", PARAMETERS.stream().sorted().toList()));
        }
      }
      String text = normalized(parameters.getOrDefault("q", ""));
      if (text.length() > MAX_QUERY_LENGTH) {
        throw new Refusal("invalid_query", "\"q\" is at most " + MAX_QUERY_LENGTH + " characters");
      }
      Set<Kind> kinds = EnumSet.allOf(Kind.class);
      if (parameters.containsKey("kind")) {
        kinds = EnumSet.noneOf(Kind.class);
        for (String name : parameters.get("kind").split(",", -1)) {
          kinds.add(Kind.parse(name.trim()).orElseThrow(() -> new Refusal("invalid_kind",
              "\"kind\" is one or more of product, plan, topic, domain, separated by commas; got \""
                  + parameters.get("kind") + "\"")));
        }
      }
      int limit = DEFAULT_LIMIT;
      if (parameters.containsKey("limit")) {
        try {
          limit = Integer.parseInt(parameters.get("limit"));
        } catch (NumberFormatException e) {
          limit = 0;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
          throw new Refusal("invalid_limit", "\"limit\" is an integer from 1 to " + MAX_LIMIT);
        }
      }
      Optional<Position> after = Optional.ofNullable(parameters.get("after")).map(Position::decode);
      return new Query(text, Set.copyOf(kinds), limit, after);
    }
  }

  /** Where a hit stands in the order of results; encoded, it is the opaque {@code after} of the next page. */
  public record Position(int rank, Kind kind, String name, String key) implements Comparable<Position> {
    private static final Comparator<Position> ORDER = Comparator.comparingInt(Position::rank)
        .thenComparing(Position::kind).thenComparing(Position::name).thenComparing(Position::key);

    @Override
    public int compareTo(Position other) {
      return ORDER.compare(this, other);
    }

    public String encode() {
      return rank + "." + kind.wireName() + "." + base64(name) + "." + base64(key);
    }

    static Position decode(String text) {
      String[] parts = text.split("\\.", -1);
      try {
        if (parts.length == 4 && parts[0].length() == 1) {
          int rank = Integer.parseInt(parts[0]);
          Optional<Kind> kind = Kind.parse(parts[1]);
          if (rank >= 0 && rank < RANKS && kind.isPresent()) {
            return new Position(rank, kind.get(), unbase64(parts[2]), unbase64(parts[3]));
          }
        }
      } catch (IllegalArgumentException e) {
        // a bad number or bad base64: refused below like any other malformed value
      }
      throw new Refusal("invalid_after", "\"after\" must be the \"next_after\" of an earlier page");
    }

    private static String base64(String text) {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String unbase64(String text) {
      return new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
    }
  }

  public record Hit(Kind kind, Catalog.Entry entry, Position position) {}

  /** One page of hits; {@code nextAfter} is present when more follow. */
  public record Page(List<Hit> hits, Optional<String> nextAfter) {}

  public static Page search(VisibleCatalog catalog, Query query) {
    List<Hit> hits = new ArrayList<>();
    if (query.kinds().contains(Kind.DOMAIN)) {
      catalog.domains().forEach(domain -> match(query, Kind.DOMAIN, domain, domain.name(), domain.name(),
          List.of(domain.name()), List.of()).ifPresent(hits::add));
    }
    if (query.kinds().contains(Kind.TOPIC)) {
      catalog.topics().forEach(topic -> match(query, Kind.TOPIC, topic, topic.name(), topic.name(),
          List.of(topic.name()), List.of(topic.domain())).ifPresent(hits::add));
    }
    if (query.kinds().contains(Kind.PRODUCT)) {
      catalog.products().forEach(product -> match(query, Kind.PRODUCT, product, product.name(), product.id(),
          List.of(product.name(), product.id()),
          Stream.concat(Stream.of(product.description()), product.topics().stream()).toList()).ifPresent(hits::add));
    }
    if (query.kinds().contains(Kind.PLAN)) {
      catalog.plans().forEach(plan -> match(query, Kind.PLAN, plan, plan.name(), plan.id(), List.of(plan.name(), plan.id()),
          catalog.product(plan.productId()).map(product -> List.of(product.name())).orElse(List.of())).ifPresent(hits::add));
    }
    List<Hit> ordered = hits.stream()
        .filter(hit -> query.after().map(after -> hit.position().compareTo(after) > 0).orElse(true))
        .sorted(Comparator.comparing(Hit::position))
        .toList();
    List<Hit> page = ordered.subList(0, Math.min(query.limit(), ordered.size()));
    Optional<String> next = ordered.size() > page.size()
        ? Optional.of(page.get(page.size() - 1).position().encode()) : Optional.empty();
    return new Page(page, next);
  }

  /**
   * The hit for an entry, if it matches: {@code names} are what it is called (name, id), ranked;
   * {@code context} is further text only the last rank looks at.
   */
  private static Optional<Hit> match(Query query, Kind kind, Catalog.Entry entry, String name, String key,
                                     List<String> names, List<String> context) {
    OptionalInt rank = rank(query.text(), names, context);
    if (rank.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Hit(kind, entry, new Position(rank.getAsInt(), kind, name.toLowerCase(Locale.ROOT), key)));
  }

  private static OptionalInt rank(String text, List<String> names, List<String> context) {
    if (text.isEmpty()) {
      return OptionalInt.of(0);
    }
    List<String> lowerNames = names.stream().map(CatalogSearch::normalized).toList();
    if (lowerNames.contains(text)) {
      return OptionalInt.of(0);
    }
    if (lowerNames.stream().anyMatch(name -> name.startsWith(text) || words(name).anyMatch(word -> word.startsWith(text)))) {
      return OptionalInt.of(1);
    }
    if (lowerNames.stream().anyMatch(name -> name.contains(text))) {
      return OptionalInt.of(2);
    }
    String all = String.join(" ", Stream.concat(lowerNames.stream(), context.stream().map(CatalogSearch::normalized)).toList());
    return Arrays.stream(text.split(" ")).allMatch(all::contains) ? OptionalInt.of(3) : OptionalInt.empty();
  }

  /** The words of a name: its parts between spaces, dots, dashes and underscores. */
  private static Stream<String> words(String name) {
    return Arrays.stream(name.split("[ ._-]+")).filter(word -> !word.isEmpty());
  }

  private static String normalized(String text) {
    return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }
}
