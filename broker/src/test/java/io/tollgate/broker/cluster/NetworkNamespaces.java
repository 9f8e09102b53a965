package io.tollgate.broker.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private network of Linux network namespaces for one test: a hub namespace holding a bridge,
 * and one namespace per node, joined to the bridge by a veth pair. Every address and interface
 * lives inside these namespaces (the root namespace gains none), so nothing the test binds there
 * is reachable from the machine's own network, and taking a node's end of its veth down in the
 * hub cuts that node off from the others and from nothing else.
 *
 * <p>Names start with {@value #PREFIX} and the test JVM's pid. The namespaces are deleted on
 * {@link #close()}, by a shutdown hook if the JVM exits first, and, at the next start, those of
 * a JVM that no longer runs (killed before its hook ran), with any process still inside them.
 * Needs iproute2's {@code ip} with {@code netns} support and CAP_NET_ADMIN (root).
 */
final class NetworkNamespaces implements AutoCloseable {
  static final String PREFIX = "tgpart";
  /** A /24 that exists only inside this network, whatever the machine itself uses. */
  private static final String SUBNET = "10.77.0.";
  /** A namespace of this class, with the pid of the JVM that made it. */
  private static final Pattern OF_RUN = Pattern.compile(PREFIX + "(\\d+)-.+");

  private final String run;
  private final int nodes;
  private final Thread deleteOnExit;

  private NetworkNamespaces(String run, int nodes) {
    this.run = run;
    this.nodes = nodes;
    this.deleteOnExit = new Thread(this::delete, "delete-" + run);
  }

  /** Makes the hub and {@code nodes} node namespaces, each node at {@link #address(int)}. */
  static NetworkNamespaces create(int nodes) throws IOException, InterruptedException {
    removeLeftovers();
    NetworkNamespaces network = new NetworkNamespaces(PREFIX + ProcessHandle.current().pid(), nodes);
    Runtime.getRuntime().addShutdownHook(network.deleteOnExit);
    try {
      network.build();
    } catch (IOException | RuntimeException failed) {
      network.close();
      throw failed;
    }
    return network;
  }

  private void build() throws IOException, InterruptedException {
    String hub = hub();
    ip("netns", "add", hub);
    ip("-n", hub, "link", "set", "lo", "up");
    ip("-n", hub, "link", "add", "br0", "type", "bridge");
    ip("-n", hub, "link", "set", "br0", "up");
    for (int i = 0; i < nodes; i++) {
      String namespace = namespace(i);
      ip("netns", "add", namespace);
      ip("-n", namespace, "link", "set", "lo", "up");
      ip("-n", hub, "link", "add", hubEnd(i), "type", "veth", "peer", "name", "eth0", "netns", namespace);
      ip("-n", hub, "link", "set", hubEnd(i), "master", "br0");
      ip("-n", hub, "link", "set", hubEnd(i), "up");
      ip("-n", namespace, "addr", "add", address(i) + "/24", "dev", "eth0");
      ip("-n", namespace, "link", "set", "eth0", "up");
    }
  }

  String namespace(int node) {
    return run + "-n" + (node + 1);
  }

  String address(int node) {
    return SUBNET + (node + 1);
  }

  /** {@code command} as run inside node {@code node}'s namespace. */
  List<String> inside(int node, List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Takes the hub's end of the node's veth down: no packet reaches the node or leaves it. */
  void cut(int node) throws IOException, InterruptedException {
    ip("-n", hub(), "link", "set", hubEnd(node), "down");
  }

  void heal(int node) throws IOException, InterruptedException {
    ip("-n", hub(), "link", "set", hubEnd(node), "up");
  }

  private String hub() {
    return run + "-hub";
  }

  private static String hubEnd(int node) {
    return "n" + (node + 1);
  }

  @Override
  public void close() {
    delete();
    try {
      Runtime.getRuntime().removeShutdownHook(deleteOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private void delete() {
    List<String> ours = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      ours.add(namespace(i));
    }
    ours.add(hub());
    for (String namespace : ours) {
      deleteNamespace(namespace);
    }
  }

  /** Namespaces of an earlier test JVM that died before deleting them. */
  private static void removeLeftovers() throws IOException, InterruptedException {
    for (String line : ip("netns", "list").split("\n")) {
      String namespace = line.split(" ")[0];
      Matcher ofRun = OF_RUN.matcher(namespace);
      if (ofRun.matches() && ProcessHandle.of(Long.parseLong(ofRun.group(1))).isEmpty()) {
        deleteNamespace(namespace);
      }
    }
  }

  /** Ends what still runs inside the namespace (processes this test started), then deletes it. */
  private static void deleteNamespace(String namespace) {
    try {
      for (String pid : ip("netns", "pids", namespace).split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      ip("netns", "delete", namespace);
    } catch (IOException | InterruptedException gone) {
      // already deleted, or never made
    }
  }

  private static String ip(String... arguments) throws IOException, InterruptedException {
    return run("ip", arguments);
  }

  /** Runs {@code program} (iproute2's {@code ip}, but for tests of the failures) and returns its output. */
  static String run(String program, String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(program));
    command.addAll(List.of(arguments));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException noIp) {
      throw new MissingNetworkNamespaces("the `" + program + "` command (iproute2) is not installed", noIp);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish within 30 s");
    }
    if (process.exitValue() != 0) {
      if (output.contains("Operation not permitted") || output.contains("Permission denied")) {
        throw new MissingNetworkNamespaces("`" + String.join(" ", command) + "` is not permitted: run as root or "
            + "with CAP_NET_ADMIN and CAP_SYS_ADMIN (" + output.strip() + ")", null);
      }
      throw new IOException(String.join(" ", command) + " failed with " + process.exitValue() + ": " + output.strip());
    }
    return output;
  }

  /** What the machine lacks for the test to make its network: the test fails with this, it does not skip. */
  static final class MissingNetworkNamespaces extends IllegalStateException {
    MissingNetworkNamespaces(String what, Throwable cause) {
      super("network partition tests make Linux network namespaces with `ip netns` and veth pairs, and " + what, cause);
    }
  }
}
