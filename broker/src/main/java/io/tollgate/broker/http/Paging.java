package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Lists a page at a time, so no response holds a whole catalog: {@code ?limit=} (1 to
 * {@value #MAX_LIMIT}, default {@value #MAX_LIMIT}) and {@code ?after=} the {@code next_after} of
 * the page before, present when more follow. The default page is the largest so a list that
 * fits one page answers exactly as it did before pages existed: an account's own domains,
 * topics, products, plans and keys fit one under the default catalog limits.
 *
 * <p>Each item has a position, a string whose order is the list's order and which no other item
 * shares (its creation instant and id, or its unique name), so a page continues exactly where
 * the last ended even while items are added.
 */
final class Paging {
  static final int MAX_LIMIT = 1000;

  private Paging() {}

  /** A page asked for: its size, and the position of the last item of the page before. */
  record PageRequest(int limit, Optional<String> after) {
    static PageRequest parse(Optional<String> limitText, Optional<String> afterText) {
      int limit = MAX_LIMIT;
      if (limitText.isPresent()) {
        try {
          limit = Integer.parseInt(limitText.get());
        } catch (NumberFormatException e) {
          limit = 0;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
          throw new Refusal("invalid_limit", "\"limit\" is an integer from 1 to " + MAX_LIMIT);
        }
      }
      return new PageRequest(limit, afterText.map(Paging::decode));
    }
  }

  private record Positioned<T>(String position, T item) {}

  /** The position of an item listed in creation order. */
  static String created(Instant createdAt, String id) {
    String seconds = Long.toString(createdAt.getEpochSecond());
    String nanos = Integer.toString(createdAt.getNano());
    return "0".repeat(19 - seconds.length()) + seconds + "." + "0".repeat(9 - nanos.length()) + nanos + "." + id;
  }

  /** {@code {"data": [...], "next_after": "..."}}: the page of {@code items} that {@code request} asks for. */
  static <T> ObjectNode page(Stream<T> items, Function<T, String> position, Function<T, ObjectNode> render,
                             PageRequest request) {
    // Each position is computed once: an account's subscriptions may be 200,000.
    List<Positioned<T>> following = items
        .map(item -> new Positioned<>(position.apply(item), item))
        .filter(item -> request.after().map(after -> item.position().compareTo(after) > 0).orElse(true))
        .sorted(Comparator.comparing(Positioned::position))
        .limit(request.limit() + 1L)
        .toList();
    List<Positioned<T>> page = following.subList(0, Math.min(request.limit(), following.size()));
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    ArrayNode data = body.putArray("data");
    page.stream().map(item -> render.apply(item.item())).forEach(data::add);
    if (following.size() > page.size()) {
      body.put("next_after", encode(page.get(page.size() - 1).position()));
    }
    return body;
  }

  private static String encode(String position) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String after) {
    try {
      return new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Refusal("invalid_after", "\"after\" must be the \"next_after\" of an earlier page");
    }
  }
}
