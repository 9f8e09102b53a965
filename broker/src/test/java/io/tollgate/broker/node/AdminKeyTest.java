package io.tollgate.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator key is checked for strength wherever it comes from, and the node's own key passes. */
class AdminKeyTest {
  @TempDir
  Path dataDir;

  @Test
  void aWeakKeyFromTheEnvironmentIsRefusedWithARuleAndNeverEchoed() {
    for (String weak : new String[] {"admin.crash-test-key", "secret", "a".repeat(64), "abababababababababababababababab12",
        "a strong-looking key with spaces in it 1234567890"}) {
      AdminKey.WeakAdminKey refused = assertThrows(AdminKey.WeakAdminKey.class,
          () -> AdminKey.loadOrCreate(dataDir, weak), weak);
      assertTrue(refused.getMessage().contains(AdminKey.ENV), refused.getMessage());
      assertTrue(refused.getMessage().contains("at least 32 characters"), refused.getMessage());
      assertFalse(refused.getMessage().contains(weak), "the key itself is never printed: " + refused.getMessage());
    }
  }

  @Test
  void aWeakKeyInTheDataDirectoryIsRefusedToo() throws Exception {
    Files.writeString(dataDir.resolve(AdminKey.FILE), "admin.short\n", StandardCharsets.UTF_8);
    AdminKey.WeakAdminKey refused = assertThrows(AdminKey.WeakAdminKey.class, () -> AdminKey.loadOrCreate(dataDir, null));
    assertTrue(refused.getMessage().contains(dataDir.resolve(AdminKey.FILE).toString()), refused.getMessage());
  }

  @Test
  void aStrongKeyIsTakenAndAGeneratedOneIsStrong() throws Exception {
    String strong = "admin.Qm7vXp2LwR9kT4zN8bH3cY6dF1gJ5sA0";
    assertEquals(strong, AdminKey.loadOrCreate(dataDir, "  " + strong + "\n").secret());
    AdminKey generated = AdminKey.loadOrCreate(dataDir, null);
    assertTrue(generated.generated());
    assertEquals(generated.secret(), AdminKey.requireStrong(generated.secret(), "test"));
    assertEquals(generated.secret(), AdminKey.loadOrCreate(dataDir, null).secret(), "and is read back from its file");
  }
}
