package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
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

  /** The position of an item listed in creation order. */
  static String created(Instant createdAt, String id) {
    return String.format("%019d.%09d.%s", createdAt.getEpochSecond(), createdAt.getNano(), id);
  }

  /** {@code {"data": [...], "next_after": "..."}}: the page of {@code items} that {@code request} asks for. */
  static <T> ObjectNode page(Stream<T> items, Function<T, String> position, Function<T, ObjectNode> render,
                             PageRequest request) {
    List<T> following = items
        .filter(item -> request.after().map(after -> position.apply(item).compareTo(after) > 0).orElse(true))
        .sorted(java.util.Comparator.comparing(position))
        .limit(request.limit() + 1L)
        .toList();
    List<T> page = following.subList(0, Math.min(request.limit(), following.size()));
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    ArrayNode data = body.putArray("data");
    page.stream().map(render).forEach(data::add);
    if (following.size() > page.size()) {
      body.put("next_after", encode(position.apply(page.get(page.size() - 1))));
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
