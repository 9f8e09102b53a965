package io.tollgate.broker.invoicing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.AlertCrossing;
import io.tollgate.protocols.v1.journal.UsageAlert;
import java.time.Instant;
import java.util.List;

/**
 * A usage alert as the API shows it, and a crossing as its {@code tollgate.usage.threshold_crossed}
 * event carries it: units as JSON numbers, money as decimal text with its currency.
 */
public final class AlertJson {
  private AlertJson() {}

  /** The alert, with the periods not closed yet in which it fired. */
  public static ObjectNode of(String account, UsageAlert alert, List<AlertCrossing> crossings) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("id", alert.getId()).put("account", account);
    if (!alert.getName().isEmpty()) {
      body.put("name", alert.getName());
    }
    threshold(alert, body);
    if (!alert.getSubscription().isEmpty()) {
      body.put("subscription", alert.getSubscription());
    }
    body.put("created_at", Instant.ofEpochMilli(alert.getCreatedAtMillis()).toString());
    var crossed = body.putArray("crossed");
    crossings.stream().filter(crossing -> crossing.getAlert().getId().equals(alert.getId()))
        .forEach(crossing -> crossed.add(crossing(crossing)));
    return body;
  }

  private static void threshold(UsageAlert alert, ObjectNode body) {
    body.put("metric", alert.getMetric());
    if (alert.getMetric().equals(UsageAlerts.UNITS)) {
      body.put("threshold", alert.getUnits());
    } else {
      body.put("threshold", alert.getAmount()).put("currency", alert.getCurrency());
    }
  }

  /** When and at what value the alert crossed its threshold in a period. */
  static ObjectNode crossing(AlertCrossing crossing) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putObject("period").put("id", crossing.getPeriod())
        .put("start", Instant.ofEpochMilli(crossing.getPeriodStartMillis()).toString())
        .put("end", Instant.ofEpochMilli(crossing.getPeriodEndMillis()).toString());
    if (crossing.getAlert().getMetric().equals(UsageAlerts.UNITS)) {
      body.put("value", Long.parseLong(crossing.getValue()));
    } else {
      body.put("value", crossing.getValue());
    }
    return body.put("crossed_at", Instant.ofEpochMilli(crossing.getAtMillis()).toString());
  }

  /**
   * The crossing's event on the platform's invoices topic, to its account (subject and partition
   * key, as invoice events): its id names the alert and the period, so storing it again after a
   * failure or a restart stores it once.
   */
  static CloudEvent cloudEvent(String account, AlertCrossing crossing) {
    UsageAlert alert = crossing.getAlert();
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("alert", alert.getId()).put("account", account);
    if (!alert.getName().isEmpty()) {
      data.put("name", alert.getName());
    }
    threshold(alert, data);
    if (!alert.getSubscription().isEmpty()) {
      data.put("subscription", alert.getSubscription());
    }
    data.setAll(crossing(crossing));
    return CloudEvent.newBuilder().setSpecVersion("1.0").setId(UsageAlerts.eventId(crossing))
        .setSource(Platform.BILLING_SOURCE).setType(Platform.USAGE_THRESHOLD_CROSSED)
        .putAttributes("subject", AttributeValue.newBuilder().setCeString(account).build())
        .putAttributes("partitionkey", AttributeValue.newBuilder().setCeString(account).build())
        .putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString("application/json").build())
        .putAttributes("time", AttributeValue.newBuilder()
            .setCeTimestamp(Instant.ofEpochMilli(crossing.getAtMillis()).toString()).build())
        .setJsonData(data.toString())
        .build();
  }
}
