package io.tollgate.client;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The Jetty WebSocket clients that subscribers connect through: one per TLS context, shared by
 * every subscriber using it (one selector thread and a small pool serve thousands of streams).
 * The first subscriber starts it; a few seconds after the last has ended it stops, so a
 * reconnect finds it still running. Its threads are daemon threads: an application that never
 * closes a subscriber still exits.
 */
final class WebSocketClients {
  static final String THREAD_NAME = "tollgate-websocket";
  private static final Duration LINGER = Duration.ofSeconds(2);
  private static final int MAX_THREADS = 64;
  private static final int MIN_THREADS = 2;
  /**
   * A connection leaves Jetty's pool once upgraded, so these bound only the handshakes in flight
   * to one broker and those waiting for a turn (Jetty's defaults would refuse past 1,024 waiting).
   */
  private static final int MAX_HANDSHAKES_PER_BROKER = 256;
  private static final int MAX_WAITING_HANDSHAKES_PER_BROKER = 65_536;

  private static final Map<SSLContext, Shared> RUNNING = new HashMap<>();

  private WebSocketClients() {}

  /** A started client for this TLS context, held until the lease is released. */
  static Lease lease(SSLContext tls) {
    synchronized (RUNNING) {
      Shared shared = RUNNING.get(tls);
      if (shared == null) {
        shared = new Shared(tls, start(tls));
        RUNNING.put(tls, shared);
      }
      shared.users++;
      if (shared.pendingStop != null) {
        shared.pendingStop.cancel();
        shared.pendingStop = null;
      }
      return new Lease(shared);
    }
  }

  /** One subscriber's hold on a shared client; releasing it more than once is harmless. */
  static final class Lease {
    private final Shared shared;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(Shared shared) {
      this.shared = shared;
    }

    WebSocketClient client() {
      return shared.client;
    }

    void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      synchronized (RUNNING) {
        if (--shared.users == 0) {
          Scheduler scheduler = shared.client.getHttpClient().getScheduler();
          shared.pendingStop = scheduler.schedule(() -> stopIfUnused(shared), LINGER.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private static final class Shared {
    final SSLContext tls;
    final WebSocketClient client;
    int users;
    Scheduler.Task pendingStop;

    Shared(SSLContext tls, WebSocketClient client) {
      this.tls = tls;
      this.client = client;
    }
  }

  private static void stopIfUnused(Shared shared) {
    synchronized (RUNNING) {
      if (shared.users > 0 || RUNNING.get(shared.tls) != shared) {
        return;
      }
      RUNNING.remove(shared.tls);
    }
    // Not on the client's own scheduler thread, which stopping it waits for.
    Thread stopper = new Thread(() -> stop(shared.client), THREAD_NAME + "-stop");
    stopper.setDaemon(true);
    stopper.start();
  }

  private static WebSocketClient start(SSLContext tls) {
    SslContextFactory.Client sslFactory = new SslContextFactory.Client();
    sslFactory.setSslContext(tls);
    // The broker's host name is checked against its certificate, as the JDK's client does.
    sslFactory.setEndpointIdentificationAlgorithm("HTTPS");
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
    threads.setName(THREAD_NAME);
    threads.setDaemon(true);
    ClientConnector connector = new ClientConnector();
    connector.setSelectors(1);
    connector.setExecutor(threads);
    connector.setScheduler(new ScheduledExecutorScheduler(THREAD_NAME + "-scheduler", true));
    connector.setSslContextFactory(sslFactory);
    HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
    http.setMaxConnectionsPerDestination(MAX_HANDSHAKES_PER_BROKER);
    http.setMaxRequestsQueuedPerDestination(MAX_WAITING_HANDSHAKES_PER_BROKER);
    WebSocketClient client = new WebSocketClient(http);
    // A stream may stay quiet for hours, and a frame holds up to a whole batch of large events.
    client.setIdleTimeout(Duration.ZERO);
    client.setMaxTextMessageSize(0);
    // Stopped only once no stream uses it: no sessions to close gracefully (nor a log line saying so).
    client.setStopTimeout(0);
    try {
      client.start();
    } catch (Exception e) {
      stop(client);
      throw new IllegalStateException("cannot start the WebSocket client: " + e.getMessage(), e);
    }
    return client;
  }

  private static void stop(WebSocketClient client) {
    try {
      client.stop();
    } catch (Exception e) {
      // Stopping only frees threads and buffers; its streams have ended already.
    }
  }
}
