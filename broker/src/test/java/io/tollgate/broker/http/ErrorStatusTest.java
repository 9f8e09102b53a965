package io.tollgate.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The statuses of {@link ErrorStatus}, README's table of error codes and the codes the broker uses agree. */
class ErrorStatusTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Path SOURCES = Path.of("src", "main", "java");
  private static final Pattern CODE = Pattern.compile("`([a-z][a-z_]*)`");
  /** Where the broker names a code it refuses with: a literal first argument, or what + "_not_found"/"_exists". */
  private static final Pattern USED = Pattern.compile(
      "(?:new Refusal|Responses\\.error|new Rejection|Outcome\\.refused|new AppendFailed)\\(\"([a-z_]+)\"");
  private static final Pattern DERIVED = Pattern.compile("Rejection\\.(notFound|conflict)\\(\"([a-z_]+)\"");

  /** Each code of README's error table with the HTTP status its row gives (rows of stream-only codes give none). */
  private static Map<String, Integer> readmeStatuses() throws IOException {
    String readme = Files.readString(README);
    String table = readme.substring(readme.indexOf("## Error codes"));
    table = table.substring(0, table.indexOf("\n## ", 1));
    Map<String, Integer> statuses = new TreeMap<>();
    for (String row : table.split("\n")) {
      if (!row.startsWith("| `")) {
        continue;
      }
      String[] cells = row.split("\\|");
      List<String> codes = new ArrayList<>();
      Matcher code = CODE.matcher(cells[1]);
      while (code.find()) {
        codes.add(code.group(1));
      }
      List<Integer> numbers = Stream.of(cells[cells.length - 1].split(","))
          .map(String::strip).filter(s -> s.matches("\\d{3}")).map(Integer::valueOf).toList();
      for (int i = 0; i < codes.size() && !numbers.isEmpty(); i++) {
        statuses.put(codes.get(i), numbers.get(numbers.size() == codes.size() ? i : 0));
      }
    }
    return statuses;
  }

  @Test
  void everyCodeInReadmesTableAnswersTheStatusItsRowGives() throws IOException {
    Map<String, Integer> readme = readmeStatuses();
    assertTrue(readme.size() > 40, "read " + readme.size() + " codes from README");
    Map<String, Integer> served = new TreeMap<>();
    readme.keySet().forEach(code -> served.put(code, ErrorStatus.of(code)));
    assertEquals(readme, served);
  }

  @Test
  void readmesTableListsEveryCodeThatHasAStatus() throws IOException {
    TreeSet<String> unlisted = new TreeSet<>(ErrorStatus.all().keySet());
    unlisted.removeAll(readmeStatuses().keySet());
    assertEquals(new TreeSet<>(), unlisted, "codes with a status that README's error table does not list");
  }

  @Test
  void everyCodeTheBrokerRefusesWithHasAStatus() throws IOException {
    TreeSet<String> used = new TreeSet<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher literal = USED.matcher(source);
        while (literal.find()) {
          used.add(literal.group(1));
        }
        Matcher derived = DERIVED.matcher(source);
        while (derived.find()) {
          used.add(derived.group(2) + (derived.group(1).equals("notFound") ? "_not_found" : "_exists"));
        }
      }
    }
    assertTrue(used.size() > 30, "found " + used.size() + " codes in the sources");
    used.removeIf(code -> code.endsWith("_"));
    used.removeAll(ErrorStatus.all().keySet());
    assertEquals(new TreeSet<>(), used, "codes the broker refuses with that have no HTTP status (they would answer 500)");
  }
}
