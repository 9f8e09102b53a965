package io.tollgate.broker.webhook;

import io.tollgate.broker.error.Refusal;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which URLs a webhook may post to: the SSRF defence. A URL is absolute {@code http} or
 * {@code https} with a host, no user info and no fragment. Unless private targets are allowed
 * ({@code tollgate.webhooks.allow-private-targets}), every address its host resolves to must be
 * public: loopback, private and link-local addresses (and the cloud metadata address, which is
 * link-local) are refused, each with its own code. The check runs when the endpoint is set and
 * again at every connection, on the address the connection then uses ({@link #connectable}), so a
 * name that resolves elsewhere later (DNS rebinding) is refused too.
 */
public final class WebhookTargets {
  /** Resolves a host name; the system resolver in a node, a fixed table in tests. */
  @FunctionalInterface
  public interface Resolver {
    Resolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final boolean allowPrivate;
  private final Resolver resolver;

  public WebhookTargets(boolean allowPrivate, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
  }

  /** The URL as a webhook target, or {@code invalid_webhook_url}; nothing is resolved. */
  public static URI parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw invalid(url, "is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid(url, "must be an absolute http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw invalid(url, "has no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw invalid(url, "carries user info; put credentials in the path or query, or verify the signature");
    }
    if (uri.getRawFragment() != null) {
      throw invalid(url, "has a fragment, which a request never sends");
    }
    return uri;
  }

  /** Resolves the URL's host and refuses it unless every address it resolves to may be posted to. */
  public List<InetAddress> check(URI url) {
    List<InetAddress> addresses = resolve(url.getHost());
    addresses.forEach(address -> refusalOf(url.getHost(), address).ifPresent(refusal -> {
      throw refusal;
    }));
    return addresses;
  }

  /**
   * The address a connection to {@code host} uses, resolved now and checked; a refusal fails the
   * connection. Pekko HTTP's client calls it for every connection it opens.
   */
  public InetSocketAddress connectable(String host, int port) {
    InetAddress address = resolve(host).get(0);
    refusalOf(host, address).ifPresent(refusal -> {
      throw refusal;
    });
    return new InetSocketAddress(address, port);
  }

  private List<InetAddress> resolve(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      InetAddress[] resolved = resolver.resolve(bare);
      if (resolved.length == 0) {
        throw new UnknownHostException(bare);
      }
      return List.of(resolved);
    } catch (UnknownHostException e) {
      throw new Refusal("webhook_host_unresolvable", "the webhook host " + bare + " does not resolve");
    }
  }

  /** Why a request may not go to {@code address}, if it may not. */
  Optional<Refusal> refusalOf(String host, InetAddress address) {
    if (allowPrivate) {
      return Optional.empty();
    }
    String which = host + " (" + address.getHostAddress() + ")";
    String allow = "; tollgate.webhooks.allow-private-targets = true allows it on a private network";
    if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
      return Optional.of(new Refusal("webhook_target_loopback", "the webhook target " + which
          + " is a loopback address, which a webhook may not reach" + allow));
    }
    if (address.isLinkLocalAddress()) {
      return Optional.of(new Refusal("webhook_target_link_local", "the webhook target " + which
          + " is a link-local address (such as a cloud's metadata service), which a webhook may not reach" + allow));
    }
    if (isPrivate(address)) {
      return Optional.of(new Refusal("webhook_target_private", "the webhook target " + which
          + " is a private, shared or multicast address, which a webhook may not reach" + allow));
    }
    return Optional.empty();
  }

  /**
   * RFC 1918 and site-local, carrier-grade NAT (100.64.0.0/10), "this network" (0.0.0.0/8),
   * IPv6 unique local (fc00::/7), multicast, and the benchmarking range (198.18.0.0/15).
   */
  private static boolean isPrivate(InetAddress address) {
    if (address.isSiteLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = bytes[0] & 0xff;
      int second = bytes[1] & 0xff;
      return first == 0 || (first == 100 && second >= 64 && second < 128) || (first == 198 && (second & 0xfe) == 18);
    }
    return address instanceof Inet6Address && (bytes[0] & 0xfe) == 0xfc;
  }

  private static Refusal invalid(String url, String why) {
    return new Refusal("invalid_webhook_url", "the webhook url \"" + url + "\" " + why);
  }
}
