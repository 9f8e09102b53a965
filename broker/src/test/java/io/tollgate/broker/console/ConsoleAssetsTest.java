package io.tollgate.broker.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleAssetsTest {
  private final ConsoleAssets assets = ConsoleAssets.fromClasspath();

  @Test
  void theRootIsTheConsolesPage() {
    assertEquals(Optional.of(new ConsoleAssets.Asset("tollgate/console/index.html", "text/html; charset=UTF-8")),
        assets.resolve(""));
  }

  @Test
  void theConsolesOwnFilesAndTheNamedWebJarFilesResolveToResourcesThatExist() {
    for (String path : new String[] {"", "console/app.js", "console/console.css", "console/logo.svg",
        "console/openapi.html", "console/vendor/uPlot.esm.js", "console/vendor/uPlot.min.css",
        "console/vendor/swagger-ui-bundle.js", "console/vendor/swagger-ui.css"}) {
      ConsoleAssets.Asset asset = assets.resolve(path).orElseThrow(() -> new AssertionError(path));
      assertNotNull(getClass().getClassLoader().getResource(asset.resource()), asset.resource());
    }
    assertEquals("text/javascript; charset=UTF-8", assets.resolve("console/vendor/uPlot.esm.js").orElseThrow().mediaType());
  }

  @Test
  void nothingElseOnTheClasspathCanBeReached() {
    for (String path : new String[] {"console/../reference.conf", "console/..%2Freference.conf", "console/vendor/LICENSE",
        "console/vendor/../../tollgate/openapi-components.json", "console/sub/app.js", "console/App.js",
        "console/reference.conf", "reference.conf", "console/", "console/vendor/", "webjars/uplot/1.6.30/dist/uPlot.esm.js"}) {
      assertEquals(Optional.empty(), assets.resolve(path), path);
    }
  }

  @Test
  void thePolicyAllowsNoInlineScriptNoEvalAndNoFraming() {
    String policy = ConsoleAssets.CONTENT_SECURITY_POLICY;
    assertTrue(policy.contains("script-src 'self';") && !policy.contains("unsafe"), policy);
    assertTrue(policy.contains("frame-ancestors 'none'") && policy.startsWith("default-src 'none'"), policy);
  }
}
