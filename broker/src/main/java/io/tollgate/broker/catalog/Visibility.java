package io.tollgate.broker.catalog;

import io.tollgate.protocols.v1.journal.ProductVisibility;
import java.util.Locale;
import java.util.Optional;

/** Who may see a product: every authenticated account, or only its owner (see {@link VisibleCatalog}). */
public enum Visibility {
  PUBLIC,
  PRIVATE;

  /**
   * What a product gets when its creator does not say: public, as the product brief's
   * {@code POST /v1/products} has always made products that consumers subscribe to.
   */
  public static final Visibility DEFAULT = PUBLIC;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Visibility> parse(String wireName) {
    for (Visibility visibility : values()) {
      if (visibility.wireName().equals(wireName)) {
        return Optional.of(visibility);
      }
    }
    return Optional.empty();
  }

  public ProductVisibility toProto() {
    return this == PUBLIC ? ProductVisibility.PRODUCT_VISIBILITY_PUBLIC : ProductVisibility.PRODUCT_VISIBILITY_PRIVATE;
  }

  /** Products journaled before visibility existed were visible to every key, and stay so. */
  public static Visibility fromProto(ProductVisibility visibility) {
    return visibility == ProductVisibility.PRODUCT_VISIBILITY_PRIVATE ? PRIVATE : PUBLIC;
  }
}
