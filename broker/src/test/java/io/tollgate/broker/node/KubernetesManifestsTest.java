package io.tollgate.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests in cluster-config/kubernetes/ agree with the configuration the node
 * builds from their ConfigMap: the ports the probes and the Service name are the ones the node
 * listens on, discovery looks for the label the pods carry, and the pods may list pods.
 */
class KubernetesManifestsTest {
  private static final Path DIR = Path.of("..", "cluster-config", "kubernetes");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static Map<String, JsonNode> manifests() throws IOException {
    Map<String, JsonNode> byKind = new HashMap<>();
    for (JsonNode resource : YAML.readTree(DIR.resolve("kustomization.yaml").toFile()).get("resources")) {
      try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(DIR.resolve(resource.asText()).toFile())) {
        for (JsonNode document : YAML.readValues(parser, JsonNode.class).readAll()) {
          byKind.put(document.get("kind").asText(), document);
        }
      }
    }
    return byKind;
  }

  private static Config nodeConfig(JsonNode configMap) {
    return TollgateNode.configure(ConfigFactory.parseString(configMap.at("/data/tollgate.conf").asText()));
  }

  @Test
  void probesAndServicePortsAreThePortsTheNodeListensOn() throws IOException {
    Map<String, JsonNode> manifests = manifests();
    Config config = nodeConfig(manifests.get("ConfigMap"));
    JsonNode container = manifests.get("Deployment").at("/spec/template/spec/containers/0");
    Map<String, Integer> ports = new HashMap<>();
    container.get("ports").forEach(port -> ports.put(port.get("name").asText(), port.get("containerPort").asInt()));

    assertEquals(config.getInt("tollgate.http.port"), ports.get("http"));
    assertEquals(config.getInt("tollgate.tcp.port"), ports.get("tcp"));
    assertEquals(config.getInt("pekko.remote.artery.canonical.port"), ports.get("remoting"));
    assertEquals(config.getInt("pekko.management.http.port"), ports.get("management"));
    assertEquals("0.0.0.0", config.getString("tollgate.http.host"), "reachable from the Service");
    assertEquals("0.0.0.0", config.getString("pekko.management.http.bind-hostname"), "reachable by the kubelet");

    assertEquals("/ready", container.at("/readinessProbe/httpGet/path").asText());
    assertEquals("/alive", container.at("/livenessProbe/httpGet/path").asText());
    for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      assertTrue(ports.containsKey(container.at("/" + probe + "/httpGet/port").asText()), probe);
    }
    List<String> servicePorts = new ArrayList<>();
    manifests.get("Service").at("/spec/ports").forEach(port -> servicePorts.add(port.get("targetPort").asText()));
    assertTrue(ports.keySet().containsAll(servicePorts), servicePorts + " are container ports");
  }

  @Test
  void discoveryLooksForTheLabelThePodsCarryWithTheRightsToListThem() throws IOException {
    Map<String, JsonNode> manifests = manifests();
    Config config = nodeConfig(manifests.get("ConfigMap"));
    assertEquals("kubernetes", config.getString("tollgate.cluster.discovery"));
    assertEquals("kubernetes-api",
        config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    JsonNode deployment = manifests.get("Deployment");
    String serviceName = envValue(deployment, "TOLLGATE_SERVICE_NAME");
    String selector = config.getString("pekko.discovery.kubernetes-api.pod-label-selector").formatted(serviceName);
    String[] label = selector.split("=");
    assertEquals(label[1], deployment.at("/spec/template/metadata/labels/" + label[0]).asText(),
        "pods carry the label discovery selects: " + selector);

    JsonNode rule = manifests.get("Role").at("/rules/0");
    assertTrue(rule.get("resources").toString().contains("\"pods\""));
    assertTrue(rule.get("verbs").toString().contains("\"list\""));
    assertEquals(manifests.get("ServiceAccount").at("/metadata/name").asText(),
        deployment.at("/spec/template/spec/serviceAccountName").asText());
    assertEquals(manifests.get("Role").at("/metadata/name").asText(),
        manifests.get("RoleBinding").at("/roleRef/name").asText());
  }

  @Test
  void theConfigMapSelectsCassandraWithReplication() throws IOException {
    Config config = nodeConfig(manifests().get("ConfigMap"));
    assertEquals("pekko.persistence.cassandra.journal", config.getString("pekko.persistence.journal.plugin"));
    assertEquals("NetworkTopologyStrategy", config.getString("pekko.persistence.cassandra.journal.replication-strategy"));
    assertEquals(List.of("datacenter1:3"),
        config.getStringList("pekko.persistence.cassandra.journal.data-center-replication-factors"));
    assertEquals("QUORUM", config.getString(
        "datastax-java-driver.profiles.pekko-persistence-cassandra-profile.basic.request.consistency"));
    assertTrue(Files.isRegularFile(DIR.resolve("Dockerfile")));
  }

  @Test
  void theImageRunsTheDistributionAndTheCommandOfTheTollgateScript() throws IOException {
    String script = Files.readString(Path.of("..", "tollgate"));
    String dockerfile = Files.readString(DIR.resolve("Dockerfile"));
    Matcher lib = Pattern.compile("\nlib=\"\\$here/([^\"]+)\"").matcher(script);
    Matcher main = Pattern.compile("-cp \"\\$lib/\\*\" ([\\w.]+) ").matcher(script);
    assertTrue(lib.find() && main.find(), "the tollgate script names its lib directory and main class");
    assertTrue(dockerfile.contains("COPY " + lib.group(1) + " /opt/tollgate/lib"), "the image copies " + lib.group(1));
    assertTrue(dockerfile.contains("-cp '/opt/tollgate/lib/*' " + main.group(1) + " "), "the image runs " + main.group(1));
  }

  @Test
  void clusterTrafficIsTlsFromTheMountedSecret() throws IOException {
    Map<String, JsonNode> manifests = manifests();
    Config config = nodeConfig(manifests.get("ConfigMap"));
    assertEquals("tls-tcp", config.getString("pekko.remote.artery.transport"));
    JsonNode pod = manifests.get("Deployment").at("/spec/template/spec");
    String volume = null;
    for (JsonNode candidate : pod.get("volumes")) {
      if (candidate.has("secret") && candidate.at("/secret/secretName").asText().equals("tollgate-cluster-tls")) {
        volume = candidate.get("name").asText();
      }
    }
    assertTrue(volume != null, "a volume holds the Secret tollgate-cluster-tls");
    String mountPath = null;
    for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
      if (mount.get("name").asText().equals(volume)) {
        mountPath = mount.get("mountPath").asText();
      }
    }
    String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
    for (String file : List.of("cert-file", "key-file", "ca-cert-file")) {
      assertEquals(mountPath, Path.of(config.getString(engine + file)).getParent().toString(), file + " is in the Secret's mount");
    }
    assertEquals(pod.at("/securityContext/runAsUser").asInt(), pod.at("/securityContext/fsGroup").asInt(),
        "the Secret's files are readable by the image's user");
  }

  @Test
  void theNetworkPolicyOpensTheClientPortsToAllAndTheClusterPortsToThePodsOnly() throws IOException {
    Map<String, JsonNode> manifests = manifests();
    JsonNode deployment = manifests.get("Deployment");
    JsonNode policy = manifests.get("NetworkPolicy");
    assertEquals(deployment.at("/spec/template/metadata/labels"), policy.at("/spec/podSelector/matchLabels"));
    List<String> containerPorts = new ArrayList<>();
    deployment.at("/spec/template/spec/containers/0/ports").forEach(port -> containerPorts.add(port.get("name").asText()));
    Map<String, JsonNode> fromByPort = new HashMap<>();
    for (JsonNode rule : policy.at("/spec/ingress")) {
      rule.get("ports").forEach(port -> fromByPort.put(port.get("port").asText(), rule.path("from")));
    }
    assertEquals(new java.util.HashSet<>(containerPorts), fromByPort.keySet(), "every container port has a rule");
    assertTrue(fromByPort.get("http").isMissingNode() && fromByPort.get("tcp").isMissingNode(), "clients come from anywhere");
    for (String clusterPort : List.of("remoting", "management")) {
      assertEquals(deployment.at("/spec/template/metadata/labels"), fromByPort.get(clusterPort).at("/0/podSelector/matchLabels"),
          clusterPort + " only from the Tollgate pods");
    }
  }

  private static String envValue(JsonNode deployment, String name) {
    for (JsonNode env : deployment.at("/spec/template/spec/containers/0/env")) {
      if (env.get("name").asText().equals(name)) {
        return env.get("value").asText();
      }
    }
    throw new AssertionError(name + " is not set");
  }
}
