package org.flinkreinforce.cli.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Checks, before a command starts its work, that the Kafka cluster answers: first a TCP connection
 * to each bootstrap address (which tells a name that does not resolve, a refused connection and no
 * answer apart), then one Kafka request (which tells failed authentication and TLS apart). A
 * failure is one {@link Unreachable} whose message names the addresses and the cause.
 */
public final class BrokerCheck {

    /** The cluster did not answer; the message is one line for the user. */
    public static final class Unreachable extends Exception {
        public Unreachable(String message) {
            super(message);
        }
    }

    private BrokerCheck() {}

    /** Returns once the cluster answered a request, or throws within about {@code timeout}. */
    public static void check(Properties client, Duration timeout) throws Unreachable {
        String servers = client.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "");
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> failures = new ArrayList<>();
        boolean connected = false;
        for (String server : servers.split(",")) {
            String address = server.trim();
            if (address.isEmpty()) {
                continue;
            }
            String failure = connect(address, remaining(deadline, 100));
            if (failure == null) {
                connected = true;
                break;
            }
            failures.add(address.equals(servers.trim()) ? failure : address + ": " + failure);
        }
        if (!connected) {
            throw new Unreachable(
                    "Cannot reach Kafka at "
                            + servers
                            + ": "
                            + (failures.isEmpty()
                                    ? "no bootstrap server given"
                                    : String.join("; ", failures))
                            + ".");
        }
        request(client, servers, remaining(deadline, 1000));
    }

    /** Null once a TCP connection to {@code address} (HOST:PORT) opened, else why not. */
    static String connect(String address, long timeoutMillis) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            return "not of the form HOST:PORT";
        }
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return "not of the form HOST:PORT";
        }
        try (Socket socket = new Socket()) {
            InetSocketAddress target = new InetSocketAddress(host, port);
            if (target.isUnresolved()) {
                return "the host name " + host + " does not resolve (DNS)";
            }
            socket.connect(target, (int) Math.max(1, timeoutMillis));
            return null;
        } catch (UnknownHostException e) {
            return "the host name " + host + " does not resolve (DNS)";
        } catch (ConnectException e) {
            return "connection refused (is a broker listening on that port?)";
        } catch (SocketTimeoutException e) {
            return "no answer within " + timeoutMillis + " ms (a firewall, or the wrong host?)";
        } catch (NoRouteToHostException e) {
            return "no route to the host";
        } catch (IOException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static void request(Properties client, String servers, long timeoutMillis)
            throws Unreachable {
        Properties properties = new Properties();
        properties.putAll(client);
        int millis = (int) Math.max(1, timeoutMillis);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        try (Admin admin = Admin.create(properties)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis))
                    .clusterId()
                    .get(millis + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new Unreachable(describe(servers, e.getCause(), millis));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new Unreachable(describe(servers, e, millis));
        } catch (KafkaException e) {
            throw new Unreachable(describe(servers, e, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("Interrupted while connecting to Kafka at " + servers + ".");
        }
    }

    static String describe(String servers, Throwable cause, long millis) {
        String prefix = "Kafka at " + servers + " ";
        if (cause instanceof SslAuthenticationException) {
            return prefix + "refused the TLS handshake: " + rootMessage(cause);
        }
        if (cause instanceof AuthenticationException) {
            return prefix + "refused the authentication: " + rootMessage(cause);
        }
        if (cause instanceof AuthorizationException) {
            return prefix + "denied the request: " + rootMessage(cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException
                || cause instanceof java.util.concurrent.TimeoutException) {
            return prefix
                    + "accepted a connection but answered no Kafka request within "
                    + millis
                    + " ms (not a Kafka listener, or one that expects TLS or SASL:"
                    + " see --kafka-property security.protocol=...).";
        }
        return prefix + "failed: " + rootMessage(cause);
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.toString();
        return message.endsWith(".") ? message : message + ".";
    }

    private static long remaining(long deadline, long floorMillis) {
        return Math.max(floorMillis, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
