package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.broker.error.Refusal;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JSON responses, and the one shape of every error: {@code {"error":{"code","message"}}}. */
public final class Responses {
  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

  private Responses() {}

  public static HttpResponse json(int status, JsonNode body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(ContentTypes.APPLICATION_JSON, body.toString());
  }

  public static HttpResponse csv(String text) {
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(org.apache.pekko.http.javadsl.model.ContentTypes.create(
            org.apache.pekko.http.javadsl.model.MediaTypes.TEXT_CSV, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8), text);
  }

  /** An error of the contract, with the status {@link ErrorStatus} gives its code. */
  public static HttpResponse error(String code, String message) {
    return error(ErrorStatus.of(code), code, message);
  }

  /** With {@code Retry-After} in whole seconds (at least 1) when the refusal says when to retry. */
  public static HttpResponse error(Refusal refusal) {
    HttpResponse response = error(refusal.code(), refusal.getMessage());
    return refusal.retryAfter().map(wait -> response.addHeader(org.apache.pekko.http.javadsl.model.HttpHeader.parse(
        "Retry-After", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000))))).orElse(response);
  }

  /** An error whose status came first: Pekko HTTP's own rejections of a request. */
  static HttpResponse error(int status, String code, String message) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    body.putObject("error").put("code", code).put("message", message);
    return json(status, body);
  }

  /** The response for a failure anywhere in handling a request; unexpected ones are logged. */
  public static HttpResponse failure(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof Refusal refusal) {
      return error(refusal);
    }
    if (cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof org.apache.pekko.pattern.AskTimeoutException) {
      return error("timeout", "the broker did not answer in time; retry");
    }
    LOG.error("request failed unexpectedly", cause);
    return error("internal_error", "the broker failed to handle the request; it has been logged");
  }

  public static String codeForStatus(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthenticated";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 406 -> "not_acceptable";
      case 413 -> "payload_too_large";
      case 415 -> "unsupported_media_type";
      case 503 -> "unavailable";
      default -> status >= 500 ? "internal_error" : "bad_request";
    };
  }
}
