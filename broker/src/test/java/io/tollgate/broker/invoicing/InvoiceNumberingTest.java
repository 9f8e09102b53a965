package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.protocols.v1.journal.NumberAssigned;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Gapless numbering: one number per document, the same one when asked again, across restarts. */
class InvoiceNumberingTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void documentsGetConsecutiveNumbersAndARetryGetsTheSameOne() {
    EventSourcedBehaviorTestKit<InvoiceNumbering.Command, NumberAssigned, InvoiceNumbering.State> numbering =
        EventSourcedBehaviorTestKit.create(testKit.system(), InvoiceNumbering.create("TG"),
            new SerializationSettings(true, false, true, true, false));
    assertEquals("TG-000001", assign(numbering, "inv_a").number());
    assertEquals("TG-000002", assign(numbering, "inv_b").number());
    var retry = numbering.<InvoiceNumbering.AssignedNumber>runCommand(replyTo -> new InvoiceNumbering.Assign("inv_a", replyTo));
    assertEquals("TG-000001", retry.reply().number());
    assertEquals(true, retry.hasNoEvents(), "a retry uses no number");
    numbering.restart();
    assertEquals("TG-000003", assign(numbering, "inv_c").number());
    assertEquals("TG-000002", assign(numbering, "inv_b").number());
  }

  private static InvoiceNumbering.AssignedNumber assign(
      EventSourcedBehaviorTestKit<InvoiceNumbering.Command, NumberAssigned, InvoiceNumbering.State> numbering, String document) {
    return numbering.<InvoiceNumbering.AssignedNumber>runCommand(replyTo -> new InvoiceNumbering.Assign(document, replyTo)).reply();
  }
}
