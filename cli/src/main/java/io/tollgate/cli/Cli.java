package io.tollgate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.client.ClientTls;
import io.tollgate.client.HostAndPort;
import io.tollgate.client.TollgateException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** What the client commands (publish, subscribe, loadgen, verify-billing) share: option converters, the key check and error output. */
final class Cli {
  /** The CLI's own mapper: the SDK keeps its JSON handling to itself. */
  static final ObjectMapper JSON = new ObjectMapper();
  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  static final String KEY_FROM_ENV = "${env:TOLLGATE_KEY}";
  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  private Cli() {}

  static String requireKey(CommandSpec spec, String key) {
    if (key == null || key.isBlank()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "an API key is needed: --key or TOLLGATE_KEY");
    }
    return key;
  }

  /** Prints {@code error: CODE: message} to stderr and returns the exit code for a failure. */
  /**
   * TLS to the broker: trusting the CAs in {@code caFile} when given, else the JVM's CAs when the
   * URL is https; null (plaintext, TCP included) otherwise.
   */
  static ClientTls tls(Path caFile, URI url) {
    return caFile != null ? ClientTls.trustingCaPem(caFile)
        : url.getScheme().equals("https") ? ClientTls.systemDefault() : null;
  }

  static final String CA_FILE_HELP = "The broker serves TLS (tollgate run --tls-cert): trust its certificate as "
      + "signed by these CA certificates (PEM), on --url and --tcp alike. An https --url without it trusts the JVM's CAs.";

  static int fail(CommandSpec spec, String code, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: " + code + ": " + message);
    err.flush();
    return CommandLine.ExitCode.SOFTWARE;
  }

  static int fail(CommandSpec spec, TollgateException e) {
    return fail(spec, e.code(), e.detail());
  }

  /** The JDK's I/O failures often have no message; their class name is the next best thing. */
  static String describe(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  static final class HostAndPortConverter implements CommandLine.ITypeConverter<HostAndPort> {
    @Override
    public HostAndPort convert(String value) {
      try {
        return HostAndPort.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, a bare number of seconds, or ISO-8601 ({@code PT30S}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Matcher simple = SIMPLE_DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (simple.matches()) {
        long amount = Long.parseLong(simple.group(1));
        String unit = simple.group(2) == null ? "s" : simple.group(2);
        return switch (unit) {
          case "ms" -> Duration.ofMillis(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofSeconds(amount);
        };
      }
      try {
        return Duration.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("expected a duration such as 30s, 500ms, 2m or PT30S, was \"" + value + "\"");
      }
    }
  }
}
