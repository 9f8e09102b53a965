package io.tollgate.broker.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium and chromedriver, which the console's browser tests drive: installed by the
 * repository's {@code .ci/install-browser} when they are missing, as the suite starts Cassandra
 * itself, so a fresh machine's {@code ./mvnw verify} needs nothing installed by hand.
 */
final class HeadlessChromium {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private HeadlessChromium() {}

  static void ensureInstalled() throws IOException, InterruptedException {
    if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
      return;
    }
    Path script = repositoryRoot().resolve(".ci/install-browser");
    Process install = new ProcessBuilder(script.toString()).inheritIO().start();
    if (!install.waitFor(15, TimeUnit.MINUTES) || install.exitValue() != 0 || !Files.isExecutable(DRIVER)) {
      install.destroyForcibly();
      throw new IllegalStateException("chromium and chromedriver are missing and " + script
          + " could not install them (it needs root or passwordless sudo, and Debian's package mirror)");
    }
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve(".ci/install-browser"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(".ci/install-browser not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
