package io.tollgate.broker.catalog;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The catalog as one viewer may see it. The rules, in one place:
 * <ul>
 *   <li>a product is seen by the operator, its owner, every account when it is public, and an
 *       account with a subscription to it (only the operator can make one for another account on
 *       a private product; the subscriber must be able to read what it receives);</li>
 *   <li>a retired product only by the operator, its owner and the accounts with a subscription to
 *       it: it leaves the catalog for everyone else, as it takes no new subscriptions;</li>
 *   <li>a plan is seen with its product;</li>
 *   <li>a topic, with its schema, by the operator, its domain's owner, and whoever sees a product
 *       that bundles it;</li>
 *   <li>a domain by the operator, its owner, and whoever sees one of its topics.</li>
 * </ul>
 * What a viewer may not see is absent: callers answer {@code …_not_found}, so ids and names of
 * other tenants cannot be probed. A view is for one request.
 */
public final class VisibleCatalog {
  private final Catalog catalog;
  private final Viewer viewer;
  private Set<String> topicsInSeenProducts;

  public VisibleCatalog(Catalog catalog, Viewer viewer) {
    this.catalog = catalog;
    this.viewer = viewer;
  }

  public boolean sees(Catalog.Product product) {
    return product.visibility() == Visibility.PUBLIC && product.retiredAt().isEmpty() || viewer.actsFor(product.owner())
        || viewer.account().map(account -> catalog.subscribes(account, product.id())).orElse(false);
  }

  public boolean sees(Catalog.Plan plan) {
    return product(plan.productId()).isPresent();
  }

  public boolean sees(Catalog.Topic topic) {
    return catalog.domain(topic.domain()).map(domain -> viewer.actsFor(domain.owner())).orElse(false)
        || topicsInSeenProducts().contains(topic.name());
  }

  public boolean sees(Catalog.Domain domain) {
    return viewer.actsFor(domain.owner())
        || topicsInSeenProducts().stream().anyMatch(topic -> topic.startsWith(domain.name() + "."));
  }

  /** The viewer owns the product or is the operator: may see its publishing side. */
  public boolean owns(Catalog.Product product) {
    return viewer.actsFor(product.owner());
  }

  public Optional<Catalog.Domain> domain(String name) {
    return catalog.domain(name).filter(this::sees);
  }

  public Optional<Catalog.Topic> topic(String name) {
    return catalog.topic(name).filter(this::sees);
  }

  public Optional<Catalog.Product> product(String id) {
    return catalog.product(id).filter(this::sees);
  }

  public Optional<Catalog.Plan> plan(String id) {
    return catalog.plan(id).filter(this::sees);
  }

  public Stream<Catalog.Domain> domains() {
    return catalog.domains().stream().filter(this::sees);
  }

  public Stream<Catalog.Topic> topics() {
    return catalog.topics().stream().filter(this::sees);
  }

  public Stream<Catalog.Product> products() {
    return catalog.products().stream().filter(this::sees);
  }

  public Stream<Catalog.Plan> plans() {
    return catalog.plans().stream().filter(this::sees);
  }

  /** The product's topics as the catalog holds them (a product's topics are seen with it). */
  public Stream<Catalog.Topic> topicsOf(Catalog.Product product) {
    return product.topics().stream().flatMap(name -> catalog.topic(name).stream());
  }

  private Set<String> topicsInSeenProducts() {
    if (topicsInSeenProducts == null) {
      Set<String> names = new HashSet<>();
      products().forEach(product -> names.addAll(product.topics()));
      topicsInSeenProducts = names;
    }
    return topicsInSeenProducts;
  }
}
