package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers as tables: lists a row an item, objects a line a field, long nested values cut. */
class TableTest {
  private static JsonNode json(String text) throws Exception {
    return Cli.JSON.readTree(text);
  }

  @Test
  void aListIsARowAnItemWithItsChosenColumnsAndTheNextPage() throws Exception {
    String table = Table.render(json("""
        {"data":[{"id":"acc_1","name":"Shop","created_at":"t1"},{"id":"acc_22","name":"Fan club","extra":1}],
         "next_after":"acc_22"}"""), List.of("id", "name", "created_at"));
    assertEquals("""
        ID      NAME      CREATED_AT
        acc_1   Shop      t1
        acc_22  Fan club
        next_after: acc_22""", table);
  }

  @Test
  void withoutColumnsAListShowsItsFirstItemsScalarFieldsAndListsJoined() throws Exception {
    assertEquals("""
        ID  SCOPES
        k1  read,publish""", Table.render(json("{\"data\":[{\"id\":\"k1\",\"scopes\":[\"read\",\"publish\"],"
        + "\"nested\":{\"a\":1}}]}"), List.of()));
  }

  @Test
  void anObjectWithoutColumnsIsALineAFieldWithNestedValuesCut() throws Exception {
    String long_ = "x".repeat(100);
    String table = Table.render(json("{\"id\":\"sub_1\",\"plan_history\":[{\"plan\":\"" + long_ + "\"}],\"gone\":null}"),
        List.of());
    assertEquals("id            sub_1\nplan_history  " + ("[{\"plan\":\"" + long_).substring(0, Table.WIDEST - 1)
        + "…\ngone", table);
  }

  @Test
  void aDeletionsEmptyAnswerSaysDone() throws Exception {
    assertEquals("done", Table.render(json("{}"), List.of()));
  }
}
