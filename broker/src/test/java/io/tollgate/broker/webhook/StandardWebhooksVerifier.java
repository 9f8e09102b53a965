package io.tollgate.broker.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * An independent implementation of Standard Webhooks verification: the specification's own
 * JavaScript library ({@code standardwebhooks} on npm, the version package-lock.json pins), run
 * by Node as a process. It is installed once per test run with {@code npm ci} into
 * target/standard-webhooks; a machine with Node but without the library fails the tests that
 * verify rather than skip them.
 */
public final class StandardWebhooksVerifier {
  private static final Path INSTALLED = Path.of("target", "standard-webhooks").toAbsolutePath();
  private static boolean installed;

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

  /** What the library says: {@code verified}, or why not. */
  public static String verify(String secret, String id, String timestamp, String signatures, byte[] body)
      throws IOException, InterruptedException {
    install();
    Path script = Files.createTempFile("verify-standard-webhooks", ".js");
    Path bodyFile = Files.createTempFile("webhook-body", ".json");
    try {
      Files.write(script, resource("verify-standard-webhooks.js"));
      Files.write(bodyFile, body);
      ProcessBuilder run = new ProcessBuilder("node", script.toString(), secret, id, timestamp, signatures,
          bodyFile.toString()).redirectErrorStream(true);
      run.environment().put("NODE_PATH", INSTALLED.resolve("node_modules").toString());
      Process node = run.start();
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

  private static synchronized void install() throws IOException, InterruptedException {
    if (installed || Files.exists(INSTALLED.resolve("node_modules/standardwebhooks/package.json"))) {
      installed = true;
      return;
    }
    Files.createDirectories(INSTALLED);
    Files.write(INSTALLED.resolve("package.json"), resource("package.json"));
    Files.write(INSTALLED.resolve("package-lock.json"), resource("package-lock.json"));
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
        .directory(INSTALLED.toFile()).redirectErrorStream(true).start();
    boolean finished = npm.waitFor(180, TimeUnit.SECONDS);
    String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!finished || npm.exitValue() != 0) {
      npm.destroyForcibly();
      throw new IllegalStateException("npm could not install the standardwebhooks library into " + INSTALLED + ": "
          + output);
    }
    installed = true;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = StandardWebhooksVerifier.class.getResourceAsStream("/webhooks/" + name)) {
      if (in == null) {
        throw new IOException("test resource /webhooks/" + name + " is missing");
      }
      return in.readAllBytes();
    }
  }
}
