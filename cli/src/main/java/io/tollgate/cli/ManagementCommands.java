package io.tollgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.client.ClientTls;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.client.TollgateException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The management commands, {@code tollgate accounts list}, {@code tollgate keys create ACCOUNT
 * --scopes read} and the rest, built from {@link ManagementOperations}: one table says what each
 * calls, so adding an endpoint to the CLI is one row. Output is a table, or the broker's JSON
 * with {@code --output json}; a refusal prints the broker's code and message and exits 1.
 */
final class ManagementCommands {
  private static final String KEY = "--key";
  private static final String URL = "--url";
  private static final String CA_FILE = "--ca-file";
  private static final String OUTPUT = "--output";
  private static final String BODY = "--body";

  private ManagementCommands() {}

  /** Adds a command per resource, with a subcommand per action, to {@code tollgate}. */
  static void addTo(CommandLine tollgate) {
    Map<String, CommandLine> resources = new LinkedHashMap<>();
    for (ManagementOperations.Operation operation : ManagementOperations.ALL) {
      resources.computeIfAbsent(operation.resource(), ManagementCommands::resource)
          .addSubcommand(operation.action(), action(operation));
    }
    resources.forEach(tollgate::addSubcommand);
  }

  private static CommandLine resource(String name) {
    AtomicReference<CommandSpec> self = new AtomicReference<>();
    CommandSpec spec = CommandSpec.wrapWithoutInspection((Callable<Integer>) () -> {
      throw new CommandLine.ParameterException(self.get().commandLine(), "say what to do with " + name
          + ": one of " + String.join(", ", self.get().subcommands().keySet()));
    });
    self.set(spec);
    spec.name(name);
    spec.usageMessage().description("Manage " + name + ".");
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
    return new CommandLine(spec);
  }

  private static CommandLine action(ManagementOperations.Operation operation) {
    AtomicReference<CommandSpec> self = new AtomicReference<>();
    CommandSpec spec = CommandSpec.wrapWithoutInspection((Callable<Integer>) () -> run(operation, self.get()));
    self.set(spec);
    spec.usageMessage().description(operation.summary(), "Calls " + operation.method() + " " + operation.path()
        + " (OpenAPI operation " + operation.operationId() + ").");
    List<String> parameters = operation.pathParameters();
    for (int i = 0; i < parameters.size(); i++) {
      spec.addPositional(PositionalParamSpec.builder().index(String.valueOf(i)).type(String.class)
          .paramLabel(parameters.get(i).toUpperCase(java.util.Locale.ROOT)).required(true)
          .description("The " + parameters.get(i) + "'s id.").build());
    }
    for (ManagementOperations.Field field : operation.fields()) {
      spec.addOption(OptionSpec.builder(field.option()).type(String.class).paramLabel(field.kind().name())
          .description(field.description()).build());
    }
    if (!operation.fields().isEmpty()) {
      spec.addOption(OptionSpec.builder(BODY).type(String.class).paramLabel("JSON")
          .description("The whole request body as JSON; the options above set fields of it.").build());
    }
    for (ManagementOperations.Query query : operation.query()) {
      spec.addOption(OptionSpec.builder(query.option()).type(String.class).description(query.description()).build());
    }
    spec.addOption(OptionSpec.builder(KEY).type(String.class).defaultValue(Cli.KEY_FROM_ENV)
        .description("API key (default: $TOLLGATE_KEY).").build());
    spec.addOption(OptionSpec.builder(URL).type(String.class).defaultValue(Cli.DEFAULT_URL)
        .description("Broker HTTP base URL (default: ${DEFAULT-VALUE}).").build());
    spec.addOption(OptionSpec.builder(CA_FILE).type(Path.class).paramLabel("PEM").description(Cli.CA_FILE_HELP).build());
    spec.addOption(OptionSpec.builder(OUTPUT).type(String.class).defaultValue("table")
        .description("table (default) or json.").build());
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
    return new CommandLine(spec);
  }

  private static int run(ManagementOperations.Operation operation, CommandSpec spec) {
    String output = spec.findOption(OUTPUT).getValue();
    if (!output.equals("table") && !output.equals("json")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--output is table or json, not " + output);
    }
    String key = Cli.requireKey(spec, spec.findOption(KEY).getValue());
    URI url = URI.create(spec.findOption(URL).<String>getValue());
    ClientTls tls = Cli.tls(spec.findOption(CA_FILE).getValue(), url);
    TollgateAdmin node = tls == null ? new TollgateAdmin(url, key) : new TollgateAdmin(url, key, tls.httpClient());
    String path = path(operation, spec);
    JsonNode answer;
    try {
      answer = switch (operation.method()) {
        case "GET" -> node.get(path);
        case "DELETE" -> node.delete(path);
        case "PUT" -> node.put(path, body(operation, spec));
        case "PATCH" -> node.patch(path, body(operation, spec));
        default -> node.post(path, body(operation, spec));
      };
    } catch (TollgateException e) {
      return Cli.fail(spec, e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(output.equals("json") ? answer.toString() : Table.render(answer, operation.columns()));
    out.flush();
    return CommandLine.ExitCode.OK;
  }

  private static String path(ManagementOperations.Operation operation, CommandSpec spec) {
    String path = operation.path();
    List<String> parameters = operation.pathParameters();
    for (int i = 0; i < parameters.size(); i++) {
      path = path.replace("{" + parameters.get(i) + "}", encode(spec.positionalParameters().get(i).getValue()));
    }
    StringBuilder query = new StringBuilder();
    for (ManagementOperations.Query parameter : operation.query()) {
      String value = spec.findOption(parameter.option()).getValue();
      if (value != null) {
        query.append(query.length() == 0 ? '?' : '&').append(parameter.name()).append('=').append(encode(value));
      }
    }
    return path + query;
  }

  private static JsonNode body(ManagementOperations.Operation operation, CommandSpec spec) {
    ObjectNode body = Cli.JSON.createObjectNode();
    if (spec.findOption(BODY) != null && spec.findOption(BODY).getValue() != null) {
      JsonNode given = parse(spec, BODY, spec.findOption(BODY).getValue());
      if (!given.isObject()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--body is a JSON object");
      }
      body.setAll((ObjectNode) given);
    }
    for (ManagementOperations.Field field : operation.fields()) {
      String value = spec.findOption(field.option()).getValue();
      if (value == null) {
        continue;
      }
      switch (field.kind()) {
        case TEXT -> body.put(field.name(), value);
        case INTEGER -> body.put(field.name(), integer(spec, field, value));
        case LIST -> {
          ArrayNode items = body.putArray(field.name());
          List.of(value.split(",")).stream().map(String::trim).filter(item -> !item.isEmpty()).forEach(items::add);
        }
        case JSON -> body.set(field.name(), parse(spec, field.option(), value));
      }
    }
    return body;
  }

  private static long integer(CommandSpec spec, ManagementOperations.Field field, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), field.option() + " is a whole number, not " + value);
    }
  }

  private static JsonNode parse(CommandSpec spec, String option, String json) {
    try {
      return Cli.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + " is not JSON: " + e.getOriginalMessage());
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
