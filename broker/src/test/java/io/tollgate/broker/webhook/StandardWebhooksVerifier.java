package io.tollgate.broker.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * An independent implementation of Standard Webhooks verification: a Node.js script using only
 * Node's crypto (test resource webhooks/verify-standard-webhooks.js), run as a process. The
 * Java {@code com.standardwebhooks} library is not in the Maven Central mirror this build uses.
 */
public final class StandardWebhooksVerifier {
  private StandardWebhooksVerifier() {}

  /** Whether {@code node} runs here; tests that verify assume it. */
  public static boolean available() {
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      return node.waitFor(10, TimeUnit.SECONDS) && node.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** What the script says: {@code verified}, or why not. */
  public static String verify(String secret, String id, String timestamp, String signatures, byte[] body)
      throws IOException, InterruptedException {
    Path script = Files.createTempFile("verify-standard-webhooks", ".js");
    Path bodyFile = Files.createTempFile("webhook-body", ".json");
    try (var in = StandardWebhooksVerifier.class.getResourceAsStream("/webhooks/verify-standard-webhooks.js")) {
      Files.write(script, in.readAllBytes());
      Files.write(bodyFile, body);
      Process node = new ProcessBuilder("node", script.toString(), secret, id, timestamp, signatures,
          bodyFile.toString()).redirectErrorStream(true).start();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
        return "node did not finish";
      }
      return new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } finally {
      Files.deleteIfExists(script);
      Files.deleteIfExists(bodyFile);
    }
  }
}
