package org.flinkreinforce.job.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.testing.ClientProperties;
import org.flinkreinforce.job.testing.ContainerImages;
import org.flinkreinforce.job.testing.LearnerSettings;
import org.flinkreinforce.job.testing.ServedDecisions;
import org.flinkreinforce.job.testing.SharedKafka;
import org.flinkreinforce.model.PolicySpec;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The whole system distributed: Kafka, a Flink JobManager and two TaskManagers in containers on one
 * Docker network, the job jar submitted through Flink's REST API, the serving client and logger
 * acting as the application; then one TaskManager is killed and the job recovers from its
 * checkpoint on the other. The oracle: versions keep increasing, and the final snapshot's event
 * count and digest equal what was produced.
 */
@RequiresDocker
class FlinkClusterITCase {

    private static final String FLINK_PROPERTIES =
            String.join(
                    "\n",
                    "heartbeat.interval: 1000",
                    "heartbeat.timeout: 8000",
                    "restart-strategy.type: fixed-delay",
                    "restart-strategy.fixed-delay.attempts: 30",
                    "restart-strategy.fixed-delay.delay: 2 s");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldRecoverFromALostTaskManagerWithoutLosingOrRepeatingAnEvent() throws Exception {
        Path jobJar = Path.of("target", "reinforce-job.jar");
        assertThat(jobJar).as("the shaded job jar, built in the package phase").isRegularFile();
        try (Network network = Network.newNetwork();
                KafkaContainer kafka =
                        new KafkaContainer(ContainerImages.kafka())
                                .withNetwork(network)
                                .withListener("kafka:19092");
                GenericContainer<?> jobManager =
                        new GenericContainer<>(ContainerImages.flink())
                                .withNetwork(network)
                                .withNetworkAliases("jobmanager")
                                .withCommand("jobmanager")
                                .withEnv("FLINK_PROPERTIES", FLINK_PROPERTIES)
                                .withExposedPorts(8081)
                                .waitingFor(
                                        Wait.forHttp("/overview")
                                                .forPort(8081)
                                                .withStartupTimeout(Duration.ofMinutes(2)));
                GenericContainer<?> first = taskManager(network, jobManager);
                GenericContainer<?> second = taskManager(network, jobManager)) {
            kafka.start();
            jobManager.start();
            first.start();
            second.start();
            String rest = "http://" + jobManager.getHost() + ":" + jobManager.getMappedPort(8081);
            SharedKafka.await(
                    "two TaskManagers",
                    Duration.ofMinutes(2),
                    () -> get(rest + "/overview").contains("\"taskmanagers\":2"));

            Properties client = ClientProperties.plaintext(kafka.getBootstrapServers());
            LearnerSettings.createTopics(client, "cluster", 2);
            // The job reaches the broker on the Docker network.
            Map<String, String> settings =
                    LearnerSettings.withTopics(
                            ClientProperties.plaintext("kafka:19092"), "cluster", "nas:0:4,3");
            settings.put("batch.size", "32");
            settings.put("publish.interval", "500 ms");
            settings.put("checkpoint.interval", "500 ms");
            settings.put("transaction.timeout", "2 min");
            String jobId = run(rest, upload(rest, jobJar), arguments(settings));
            SharedKafka.await(
                    "the job running",
                    Duration.ofMinutes(2),
                    () -> get(rest + "/jobs/" + jobId).contains("\"state\":\"RUNNING\""));

            PolicySpec spec = PolicySpec.parse("nas:0:4,3");
            List<String> sent = new ArrayList<>();
            try (PolicyClient policies = new PolicyClient(client, "cluster-parameters");
                    EventLogger logger = new EventLogger(client, "cluster-events")) {
                policies.register(spec);
                Random random = new Random(17);
                ServedDecisions.log(
                        policies, logger, random, 1500, FlinkClusterITCase::reward, sent);
                SharedKafka.await(
                        "the first events applied",
                        Duration.ofMinutes(2),
                        () -> policies.eventsApplied("nas") >= 1000);
                long versionBeforeLoss = policies.version("nas");

                GenericContainer<?> busiest = busiest(rest, List.of(first, second));
                busiest.getDockerClient().killContainerCmd(busiest.getContainerId()).exec();

                ServedDecisions.log(
                        policies, logger, random, 1500, FlinkClusterITCase::reward, sent);
                SharedKafka.await(
                        "every event applied after the TaskManager loss",
                        Duration.ofMinutes(3),
                        () -> policies.eventsApplied("nas") >= sent.size());
                assertThat(policies.version("nas")).isGreaterThan(versionBeforeLoss);
                assertThat(get(rest + "/jobs/" + jobId + "/checkpoints"))
                        .as("the job restored a checkpoint")
                        .containsPattern("\"restored\":[1-9]");
            }
            List<ParameterSnapshot> snapshots = SharedKafka.snapshots(client, "cluster-parameters");
            assertThat(snapshots).isNotEmpty();
            long previous = -1;
            for (ParameterSnapshot snapshot : snapshots) {
                assertThat(snapshot.version()).isGreaterThan(previous);
                previous = snapshot.version();
            }
            ParameterSnapshot last = snapshots.get(snapshots.size() - 1);
            assertThat(last.eventsApplied()).isEqualTo(sent.size());
            assertThat(last.eventDigest()).isEqualTo(EventDigest.of(sent));
            http.send(
                    HttpRequest.newBuilder(URI.create(rest + "/jobs/" + jobId))
                            .method("PATCH", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /**
     * The TaskManager container running the most of the job's tasks, matched to Flink's view by its
     * address on the Docker network, so killing it forces a failover.
     */
    private GenericContainer<?> busiest(String rest, List<GenericContainer<?>> taskManagers) {
        String view = get(rest + "/taskmanagers");
        GenericContainer<?> busiest = null;
        int fewestFree = Integer.MAX_VALUE;
        for (GenericContainer<?> taskManager : taskManagers) {
            String address =
                    taskManager
                            .getContainerInfo()
                            .getNetworkSettings()
                            .getNetworks()
                            .values()
                            .iterator()
                            .next()
                            .getIpAddress();
            Matcher slots =
                    Pattern.compile(
                                    "\"path\":\"[^\"]*@"
                                            + Pattern.quote(address)
                                            + ":[^\"]*\"[^{}]*?\"freeSlots\":(\\d+)")
                            .matcher(view);
            assertThat(slots.find()).as("TaskManager %s in %s", address, view).isTrue();
            int free = Integer.parseInt(slots.group(1));
            if (free < fewestFree) {
                fewestFree = free;
                busiest = taskManager;
            }
        }
        return busiest;
    }

    private static GenericContainer<?> taskManager(
            Network network, GenericContainer<?> jobManager) {
        return new GenericContainer<>(ContainerImages.flink())
                .withNetwork(network)
                .withCommand("taskmanager")
                .withEnv("FLINK_PROPERTIES", FLINK_PROPERTIES)
                .dependsOn(jobManager);
    }

    /** Option 2 of the first decision and option 0 of the second pay. */
    private static double reward(int[] actions) {
        return (actions[0] == 2 ? 1 : 0) + (actions[1] == 0 ? 0.5 : 0);
    }

    /** The learner's command-line arguments: {@code --key value} for each setting. */
    private static List<String> arguments(Map<String, String> settings) {
        List<String> arguments = new ArrayList<>();
        settings.forEach(
                (key, value) -> {
                    arguments.add("--" + key);
                    arguments.add(value);
                });
        return arguments;
    }

    private String upload(String rest, Path jar) throws Exception {
        String boundary = "reinforce" + System.nanoTime();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\";"
                                + " filename=\"reinforce-job.jar\"\r\nContent-Type:"
                                + " application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(rest + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(
                                        HttpRequest.BodyPublishers.ofByteArrays(
                                                List.of(head, Files.readAllBytes(jar), tail)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        Matcher file =
                Pattern.compile("\"filename\":\"[^\"]*/([^\"/]+)\"").matcher(response.body());
        assertThat(file.find()).as("upload response %s", response.body()).isTrue();
        return file.group(1);
    }

    private String run(String rest, String jarId, List<String> arguments) throws Exception {
        StringBuilder json =
                new StringBuilder("{\"entryClass\":\"")
                        .append(LearnerJob.class.getName())
                        .append("\",\"parallelism\":2,")
                        .append("\"programArgsList\":[");
        for (int k = 0; k < arguments.size(); k++) {
            json.append(k == 0 ? "" : ",").append('"').append(arguments.get(k)).append('"');
        }
        json.append("]}");
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(rest + "/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(json.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        Matcher job = Pattern.compile("\"jobid\":\"([0-9a-f]+)\"").matcher(response.body());
        assertThat(job.find()).as("run response %s", response.body()).isTrue();
        return job.group(1);
    }

    private String get(String url) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
