package io.tollgate.broker.http;

import io.tollgate.protocols.v1.journal.BytesPrice;
import io.tollgate.protocols.v1.journal.Package;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import io.tollgate.protocols.v1.journal.Quota;
import io.tollgate.protocols.v1.journal.RateLimit;
import io.tollgate.protocols.v1.journal.RedactionRule;
import io.tollgate.protocols.v1.journal.Tier;
import io.tollgate.protocols.v1.journal.Tiered;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.error.Refusal;
import io.tollgate.protocols.redaction.Redaction;
import io.tollgate.protocols.redaction.RedactionException;
import java.util.List;
import java.util.Set;

/** The JSON of a plan's terms (PRODUCT.md) to and from its journal form. */
final class PlanTermsJson {
  static final Set<String> PLAN_FIELDS = Set.of("name", "currency", "price", "free_allowance", "recurring_fee",
      "rate_limit", "quota", "revenue_share", "filter", "redact", "trial_days", "bytes_price");
  private static final Set<String> PRICE_FIELDS = Set.of("model", "unit_amount", "tiers", "package_size", "package_amount");
  private static final Set<String> BYTES_PRICE_FIELDS =
      Set.of("per", "model", "unit_amount", "tiers", "package_size", "package_amount");
  private static final Set<String> TIER_FIELDS = Set.of("up_to", "unit_amount", "flat_amount");
  private static final String DEFAULT_REVENUE_SHARE = "0.70";

  private PlanTermsJson() {}

  static PlanTerms parse(JsonBody body) {
    PlanTerms.Builder terms = PlanTerms.newBuilder()
        .setCurrency(body.requiredString("currency"))
        .setPrice(price(body.requiredObject("price", PRICE_FIELDS)))
        .setFreeAllowance(nonNegative(body, "free_allowance", body.optionalLong("free_allowance").orElse(0L)))
        .setRevenueShare(body.optionalDecimal("revenue_share").orElse(DEFAULT_REVENUE_SHARE));
    body.optionalDecimal("recurring_fee").ifPresent(terms::setRecurringFee);
    body.optionalLong("trial_days").ifPresent(days -> {
      if (days < 0 || days > io.tollgate.billing.Trial.MAX_DAYS) {
        throw body.invalid("trial_days", "must be between 0 and " + io.tollgate.billing.Trial.MAX_DAYS);
      }
      terms.setTrialDays((int) (long) days);
    });
    body.optionalObject("rate_limit", Set.of("events_per_second", "burst")).ifPresent(limit -> {
      long perSecond = limit.requiredLong("events_per_second");
      long burst = limit.optionalLong("burst").orElse(perSecond);
      if (perSecond < 1 || perSecond > Integer.MAX_VALUE || burst < 1 || burst > Integer.MAX_VALUE) {
        throw limit.invalid("events_per_second", "and burst must be positive 32-bit integers");
      }
      terms.setRateLimit(RateLimit.newBuilder().setEventsPerSecond((int) perSecond).setBurst((int) burst));
    });
    body.optionalObject("quota", Set.of("events_per_period", "on_exceed", "overage_unit_amount")).ifPresent(quota -> {
      String onExceed = quota.requiredString("on_exceed");
      if (!onExceed.equals("block") && !onExceed.equals("bill")) {
        throw quota.invalid("on_exceed", "must be \"block\" or \"bill\"");
      }
      Quota.Builder built = Quota.newBuilder()
          .setEventsPerPeriod(nonNegative(quota, "events_per_period", quota.requiredLong("events_per_period")))
          .setOnExceed(onExceed);
      quota.optionalDecimal("overage_unit_amount").ifPresent(built::setOverageUnitAmount);
      terms.setQuota(built);
    });
    body.optionalObject("filter", null).ifPresent(filter -> {
      body.checkedLength("filter", filter.json().toString(), FieldLengths.Kind.FILTER);
      terms.setFilterJson(Filters.validated(filter.json(), Set.of("account")));
    });
    if (body.has("redact")) {
      terms.addAllRedact(redaction(body));
    }
    body.optionalObject("bytes_price", BYTES_PRICE_FIELDS).ifPresent(bytes -> terms.setBytesPrice(
        BytesPrice.newBuilder().setPer(bytes.requiredString("per")).setPrice(price(bytes))));
    return terms.build();
  }

  /** The rules of {@code "redact": [{"pointer": "/card/number", "action": "mask"}, ...]}, checked. */
  private static List<RedactionRule> redaction(JsonBody body) {
    List<RedactionRule> rules = body.objectList("redact", Set.of("pointer", "action")).stream()
        .map(rule -> RedactionRule.newBuilder()
            .setPointer(rule.requiredString("pointer")).setAction(rule.requiredString("action")).build())
        .toList();
    try {
      Redaction.parse(rules);
    } catch (RedactionException e) {
      throw new Refusal("invalid_field", e.getMessage());
    }
    return rules;
  }

  private static PriceModel price(JsonBody price) {
    String model = price.requiredString("model");
    return switch (model) {
      case "per_unit" -> PriceModel.newBuilder()
          .setPerUnit(PerUnit.newBuilder().setUnitAmount(price.requiredString("unit_amount"))).build();
      case "graduated" -> PriceModel.newBuilder().setGraduated(tiers(price)).build();
      case "volume" -> PriceModel.newBuilder().setVolume(tiers(price)).build();
      case "package" -> PriceModel.newBuilder().setPackage(Package.newBuilder()
          .setPackageSize(positive(price, "package_size", price.requiredLong("package_size")))
          .setPackageAmount(price.requiredString("package_amount"))).build();
      default -> throw price.invalid("model", "must be one of per_unit, graduated, volume, package; was \"" + model + "\"");
    };
  }

  private static Tiered tiers(JsonBody price) {
    Tiered.Builder tiered = Tiered.newBuilder();
    for (JsonBody tier : price.objectList("tiers", TIER_FIELDS)) {
      Tier.Builder built = Tier.newBuilder().setUnitAmount(tier.optionalString("unit_amount").orElse("0"));
      tier.optionalLong("up_to").ifPresent(upTo -> built.setUpTo(positive(tier, "up_to", upTo)));
      tier.optionalString("flat_amount").ifPresent(built::setFlatAmount);
      tiered.addTiers(built);
    }
    return tiered.build();
  }

  private static long nonNegative(JsonBody body, String field, long value) {
    if (value < 0) {
      throw body.invalid(field, "must not be negative");
    }
    return value;
  }

  private static long positive(JsonBody body, String field, long value) {
    if (value < 1) {
      throw body.invalid(field, "must be at least 1");
    }
    return value;
  }

  static ObjectNode render(PlanTerms terms, ObjectNode out) {
    out.put("currency", terms.getCurrency());
    renderPrice(out.putObject("price"), terms.getPrice());
    out.put("free_allowance", terms.getFreeAllowance());
    if (!terms.getRecurringFee().isEmpty()) {
      out.put("recurring_fee", terms.getRecurringFee());
    }
    if (terms.hasRateLimit()) {
      out.putObject("rate_limit")
          .put("events_per_second", terms.getRateLimit().getEventsPerSecond())
          .put("burst", terms.getRateLimit().getBurst());
    }
    if (terms.hasQuota()) {
      ObjectNode quota = out.putObject("quota")
          .put("events_per_period", terms.getQuota().getEventsPerPeriod())
          .put("on_exceed", terms.getQuota().getOnExceed());
      if (!terms.getQuota().getOverageUnitAmount().isEmpty()) {
        quota.put("overage_unit_amount", terms.getQuota().getOverageUnitAmount());
      }
    }
    if (terms.getTrialDays() > 0) {
      out.put("trial_days", terms.getTrialDays());
    }
    out.put("revenue_share", terms.getRevenueShare());
    if (!terms.getFilterJson().isEmpty()) {
      out.set("filter", Filters.json(terms.getFilterJson()));
    }
    if (terms.getRedactCount() > 0) {
      var redact = out.putArray("redact");
      terms.getRedactList().forEach(rule -> redact.addObject().put("pointer", rule.getPointer()).put("action", rule.getAction()));
    }
    if (terms.hasBytesPrice()) {
      renderPrice(out.putObject("bytes_price").put("per", terms.getBytesPrice().getPer()), terms.getBytesPrice().getPrice());
    }
    return out;
  }

  private static void renderPrice(ObjectNode price, PriceModel model) {
    switch (model.getModelCase()) {
      case PER_UNIT -> price.put("model", "per_unit").put("unit_amount", model.getPerUnit().getUnitAmount());
      case GRADUATED -> renderTiers(price.put("model", "graduated"), model.getGraduated());
      case VOLUME -> renderTiers(price.put("model", "volume"), model.getVolume());
      case PACKAGE -> price.put("model", "package")
          .put("package_size", model.getPackage().getPackageSize())
          .put("package_amount", model.getPackage().getPackageAmount());
      case MODEL_NOT_SET -> { }
    }
  }

  private static void renderTiers(ObjectNode price, Tiered tiered) {
    var tiers = price.putArray("tiers");
    for (Tier tier : tiered.getTiersList()) {
      ObjectNode node = tiers.addObject();
      if (tier.getUpTo() == 0) {
        node.putNull("up_to");
      } else {
        node.put("up_to", tier.getUpTo());
      }
      node.put("unit_amount", tier.getUnitAmount());
      if (!tier.getFlatAmount().isEmpty()) {
        node.put("flat_amount", tier.getFlatAmount());
      }
    }
  }
}
