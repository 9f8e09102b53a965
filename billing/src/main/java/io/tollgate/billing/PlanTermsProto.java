package io.tollgate.billing;

import io.tollgate.protocols.v1.journal.Tiered;
import java.util.ArrayList;
import java.util.List;

/** Plan terms from their journal form (journal.proto), validated on the way. */
public final class PlanTermsProto {
  private PlanTermsProto() {}

  /**
   * The domain terms of a journaled plan.
   *
   * @throws BillingException with the first rule the terms break
   */
  public static PlanTerms fromProto(String name, io.tollgate.protocols.v1.journal.PlanTerms proto) {
    String currency = proto.getCurrency();
    PlanTerms terms = PlanTerms.of(name, priceModel(proto.getPrice(), currency, "a plan needs a price"))
        .withFreeAllowance(proto.getFreeAllowance());
    if (!proto.getRecurringFee().isEmpty()) {
      terms = terms.withRecurringFee(Money.of(proto.getRecurringFee(), currency));
    }
    if (proto.hasRateLimit()) {
      terms = terms.withRateLimit(new RateLimit(proto.getRateLimit().getEventsPerSecond(), proto.getRateLimit().getBurst()));
    }
    if (proto.hasQuota()) {
      Quota quota = Quota.of(proto.getQuota().getEventsPerPeriod(), proto.getQuota().getOnExceed());
      if (!proto.getQuota().getOverageUnitAmount().isEmpty()) {
        quota = quota.withOveragePrice(UnitPrice.of(proto.getQuota().getOverageUnitAmount()));
      }
      terms = terms.withQuota(quota);
    }
    Trial.checkedDays(proto.getTrialDays());
    if (!proto.getRevenueShare().isEmpty()) {
      terms = terms.withRevenueShare(RevenueShare.of(proto.getRevenueShare()));
    }
    if (proto.hasBytesPrice()) {
      terms = terms.withBytesPrice(BytesPrice.of(proto.getBytesPrice().getPer(),
          priceModel(proto.getBytesPrice().getPrice(), currency, "bytes_price needs a model")));
    }
    return terms;
  }

  private static PriceModel priceModel(io.tollgate.protocols.v1.journal.PriceModel price, String currency,
                                       String missing) {
    return switch (price.getModelCase()) {
      case PER_UNIT -> PriceModel.perUnit(currency, price.getPerUnit().getUnitAmount());
      case GRADUATED -> PriceModel.graduated(currency, tiers(price.getGraduated(), currency));
      case VOLUME -> PriceModel.volume(currency, tiers(price.getVolume(), currency));
      case PACKAGE -> PriceModel.perPackage(currency, price.getPackage().getPackageSize(),
          price.getPackage().getPackageAmount());
      case MODEL_NOT_SET -> throw new BillingException(BillingException.INVALID_PRICE, missing);
    };
  }

  private static List<Tier> tiers(Tiered tiered, String currency) {
    List<Tier> tiers = new ArrayList<>(tiered.getTiersCount());
    for (io.tollgate.protocols.v1.journal.Tier tier : tiered.getTiersList()) {
      Long upTo = tier.getUpTo() == 0 ? null : tier.getUpTo();
      tiers.add(tier.getFlatAmount().isEmpty()
          ? Tier.of(upTo, tier.getUnitAmount())
          : Tier.of(upTo, tier.getUnitAmount(), Money.of(tier.getFlatAmount(), currency)));
    }
    return tiers;
  }
}
