package io.tollgate.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Lists come a page at a time; the pages neither repeat nor skip an item, and a short list answers as before pages. */
class PagingTest {
  private static final Function<String, ObjectNode> RENDER = name -> JsonBody.MAPPER.createObjectNode().put("name", name);

  private static ObjectNode page(List<String> items, Optional<String> limit, Optional<String> after) {
    return Paging.page(items.stream(), Function.identity(), RENDER, Paging.PageRequest.parse(limit, after));
  }

  @Test
  void aListThatFitsTheDefaultPageIsWholeAndHasNoNextAfter() {
    List<String> names = IntStream.range(0, Paging.MAX_LIMIT).mapToObj(i -> String.format("n%04d", i)).toList();
    ObjectNode body = page(names, Optional.empty(), Optional.empty());
    assertEquals(Paging.MAX_LIMIT, body.get("data").size());
    assertFalse(body.has("next_after"));
  }

  @Test
  void followingNextAfterVisitsEveryItemOnceInOrderEvenWhenItemsAreAddedBetweenPages() {
    List<String> items = new ArrayList<>(List.of("c", "a", "e", "b", "d"));
    List<String> seen = new ArrayList<>();
    Optional<String> after = Optional.empty();
    do {
      ObjectNode body = page(items, Optional.of("2"), after);
      body.get("data").forEach(item -> seen.add(item.get("name").asText()));
      after = Optional.ofNullable(body.get("next_after")).map(JsonNode::asText);
      items.add("a" + seen.size());
    } while (after.isPresent());
    assertEquals(List.of("a", "b", "c", "d", "e"), seen.stream().filter(name -> name.length() == 1).toList());
    assertEquals(seen.stream().distinct().count(), seen.size(), "no item twice: " + seen);
  }

  @Test
  void creationPositionsOrderAsTheirInstantsThenIds() {
    List<String> ordered = List.of(
        Paging.created(java.time.Instant.ofEpochSecond(9, 999_999_999), "z"),
        Paging.created(java.time.Instant.ofEpochSecond(10, 5), "a"),
        Paging.created(java.time.Instant.ofEpochSecond(10, 5), "b"),
        Paging.created(java.time.Instant.ofEpochSecond(10, 40), "a"),
        Paging.created(java.time.Instant.parse("2026-12-06T21:00:00Z"), "a"));
    assertEquals(ordered, ordered.stream().sorted().toList());
  }

  @Test
  void aLimitOutsideOneToTheMaximumOrABadAfterIsRefused() {
    for (String limit : List.of("0", "1001", "ten")) {
      assertEquals("invalid_limit", assertThrows(Refusal.class,
          () -> Paging.PageRequest.parse(Optional.of(limit), Optional.empty())).code(), limit);
    }
    assertEquals("invalid_after", assertThrows(Refusal.class,
        () -> Paging.PageRequest.parse(Optional.empty(), Optional.of("not base64!"))).code());
  }
}
