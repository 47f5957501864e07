package org.flinkreinforce.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.flinkreinforce.job.LearnerJob;

/**
 * The metrics of a job's "Join rewards" operator (JoinRewardsFunction), summed over its subtasks,
 * as Flink's REST API serves them to the web UI: {@code /jobs/ID} for the operator's vertex, {@code
 * /jobs/ID/vertices/VERTEX/subtasks/metrics?get=...&agg=sum} for the sums. The REST endpoint
 * refreshes them every {@code metrics.fetcher.update-interval}.
 */
public final class JoinMetrics {

    /** The name the job gives the operator that joins decisions with their rewards. */
    static final String OPERATOR = LearnerJob.JOIN_OPERATOR;

    /** The metrics read, by their names in JoinRewardsFunction. */
    static final List<String> NAMES =
            List.of("pendingDecisions", "joined", "rewardsDefaulted", "unrewardedDropped");

    /** The join's metrics, summed over its subtasks. */
    public record Counts(long pending, long joined, long defaulted, long dropped) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final String jobUrl;

    /** The vertex of the operator and the full ids of its metrics, found on the first read. */
    private String vertex;

    private final Map<String, String> ids = new LinkedHashMap<>();

    /** The metrics of {@code job} on the cluster whose web UI (REST API) is {@code webUiUrl}. */
    public JoinMetrics(String webUiUrl, JobID job) {
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        this.jobUrl = webUiUrl + "/jobs/" + job;
    }

    /**
     * The sums over the subtasks, once the job runs the operator and its metrics have been fetched;
     * empty before, or where the endpoint does not answer.
     */
    public Optional<Counts> read() throws InterruptedException {
        if (ids.size() < NAMES.size() && !discover()) {
            return Optional.empty();
        }
        StringBuilder get = new StringBuilder();
        for (String id : ids.values()) {
            get.append(get.length() == 0 ? "" : ",").append(id);
        }
        Optional<JsonNode> sums =
                get(
                        http,
                        jobUrl
                                + "/vertices/"
                                + vertex
                                + "/subtasks/metrics?agg=sum&get="
                                + URLEncoder.encode(get.toString(), StandardCharsets.UTF_8));
        if (sums.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> values = new LinkedHashMap<>();
        for (JsonNode metric : sums.get()) {
            values.put(metric.path("id").asText(), Math.round(metric.path("sum").asDouble()));
        }
        List<Long> counts = new ArrayList<>();
        for (String name : NAMES) {
            Long value = values.get(ids.get(name));
            if (value == null) {
                return Optional.empty();
            }
            counts.add(value);
        }
        return Optional.of(new Counts(counts.get(0), counts.get(1), counts.get(2), counts.get(3)));
    }

    /**
     * Finds the operator's vertex and the ids of its metrics (the operator's name as Flink escapes
     * it, a dot, the metric's name: {@code Join_rewards.pendingDecisions}); false until they are
     * all known.
     */
    private boolean discover() throws InterruptedException {
        if (vertex == null) {
            Optional<JsonNode> job = get(http, jobUrl);
            if (job.isEmpty()) {
                return false;
            }
            for (JsonNode each : job.get().path("vertices")) {
                if (each.path("name").asText().contains(OPERATOR)) {
                    vertex = each.path("id").asText();
                }
            }
            if (vertex == null) {
                return false;
            }
        }
        Optional<JsonNode> available =
                get(http, jobUrl + "/vertices/" + vertex + "/subtasks/metrics");
        if (available.isEmpty()) {
            return false;
        }
        for (JsonNode metric : available.get()) {
            String id = metric.path("id").asText();
            for (String name : NAMES) {
                if (id.endsWith("." + name)) {
                    ids.put(name, id);
                }
            }
        }
        return ids.size() == NAMES.size();
    }

    /** The JSON {@code url} answers with 200; empty for any other answer or none. */
    private static Optional<JsonNode> get(HttpClient http, String url) throws InterruptedException {
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
                            HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200
                    ? Optional.of(JSON.readTree(response.body()))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
