package io.tollgate.broker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the broker's packages may depend on each other, checked on its compiled classes. */
class PackageRulesTest {
  private static JavaClasses broker;

  @BeforeAll
  static void importBroker() {
    broker = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.tollgate.broker");
  }

  /** Topics read the catalog (who may publish, which schema); the catalog knows topics only by name. */
  @Test
  void theCatalogDoesNotDependOnTopics() {
    noClasses().that().resideInAPackage("io.tollgate.broker.catalog..")
        .should().dependOnClassesThat().resideInAPackage("io.tollgate.broker.topic..")
        .check(broker);
  }

  /** Positions in partitions are the vocabulary catalog, topics, subscriptions and billing share. */
  @Test
  void positionsDependOnNoOtherBrokerPackage() {
    noClasses().that().resideInAPackage("io.tollgate.broker.position..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tollgate.broker.catalog..", "io.tollgate.broker.topic..",
            "io.tollgate.broker.subscription..", "io.tollgate.broker.invoicing..", "io.tollgate.broker.http..")
        .check(broker);
  }

  /**
   * The edges parse, authorize, send a command and render; the domain makes the journal events
   * (CatalogCommand, the billing entity). The one exception is the plan's terms, a value the
   * HTTP edge reads from JSON into its Protobuf form, which the billing module then checks.
   */
  @Test
  void noEdgeBuildsAJournalEvent() {
    Set<String> planTerms = Set.of("PlanTerms", "PriceModel", "PerUnit", "Tiered", "Tier", "Package", "RateLimit",
        "Quota", "RedactionRule", "BytesPrice");
    noClasses().that().resideInAnyPackage("io.tollgate.broker.http..", "io.tollgate.broker.tcp..")
        .should().callMethodWhere(new DescribedPredicate<JavaMethodCall>("builds a journal message") {
          @Override
          public boolean test(JavaMethodCall call) {
            JavaClass owner = call.getTargetOwner();
            return call.getName().equals("newBuilder") && owner.getPackageName().equals("io.tollgate.protocols.v1.journal")
                && !planTerms.contains(owner.getSimpleName());
          }
        })
        .check(broker);
  }

  @Test
  void theDomainKnowsNoEdge() {
    noClasses().that().resideInAnyPackage("io.tollgate.broker.catalog..", "io.tollgate.broker.topic..",
            "io.tollgate.broker.position..", "io.tollgate.broker.subscription..", "io.tollgate.broker.invoicing..",
            "io.tollgate.broker.analytics..", "io.tollgate.broker.audit..",
            "io.tollgate.broker.error..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tollgate.broker.http..", "io.tollgate.broker.tcp..")
        .check(broker);
  }

  /**
   * Webhook workers read and commit through the subscriptions' own path, behind a small interface
   * (webhook.DeliveryFeed); the domain knows nothing of webhooks, and webhooks nothing of the edges.
   */
  @Test
  void webhooksSitOnTheDomainAndTheDomainKnowsNoWebhook() {
    noClasses().that().resideInAnyPackage("io.tollgate.broker.catalog..", "io.tollgate.broker.topic..",
            "io.tollgate.broker.position..", "io.tollgate.broker.subscription..", "io.tollgate.broker.invoicing..",
            "io.tollgate.broker.session..")
        .should().dependOnClassesThat().resideInAPackage("io.tollgate.broker.webhook..")
        .check(broker);
    noClasses().that().resideInAPackage("io.tollgate.broker.webhook..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tollgate.broker.http..", "io.tollgate.broker.tcp..")
        .check(broker);
  }

  /**
   * Trimming knows the readers of journals only by their small interface (trim.ReadPositions),
   * which billing, analytics, the audit log and the verification implement; not the other way.
   */
  @Test
  void trimmingKnowsReadersOnlyByTheirInterface() {
    noClasses().that().resideInAPackage("io.tollgate.broker.trim..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tollgate.broker.catalog..",
            "io.tollgate.broker.subscription..", "io.tollgate.broker.invoicing..", "io.tollgate.broker.analytics..",
            "io.tollgate.broker.audit..", "io.tollgate.broker.http..", "io.tollgate.broker.tcp..")
        .check(broker);
  }

  /** The console is static files: it reaches the node's data only from the browser, through the API. */
  @Test
  void theConsoleServesFilesAndKnowsNothingOfTheDomain() {
    noClasses().that().resideInAPackage("io.tollgate.broker.console..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tollgate.broker.catalog..", "io.tollgate.broker.topic..",
            "io.tollgate.broker.subscription..", "io.tollgate.broker.invoicing..", "io.tollgate.broker.auth..",
            "io.tollgate.broker.session..")
        .check(broker);
  }
}
