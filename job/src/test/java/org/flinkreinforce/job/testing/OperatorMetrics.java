package org.flinkreinforce.job.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A running job's operator metrics, summed over the operator's subtasks, as Flink's REST API serves
 * them to the web UI (refreshed every {@code metrics.fetcher.update-interval}): what an operator of
 * the learner sees on its dashboards.
 */
public final class OperatorMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String jobUrl;

    private OperatorMetrics(String jobUrl) {
        this.jobUrl = jobUrl;
    }

    /** The metrics of {@code job} on {@code cluster}. */
    public static OperatorMetrics of(MiniCluster cluster, JobClient job) throws Exception {
        return new OperatorMetrics(cluster.getRestAddress().get() + "/jobs/" + job.getJobID());
    }

    /**
     * The sum over the subtasks of metric {@code name} of the operator named {@code operator} (as
     * the job names it, e.g. {@code Learn ranker}); empty until the REST API serves it.
     */
    public OptionalLong sum(String operator, String name) {
        try {
            String vertex = null;
            for (JsonNode each : get(jobUrl).path("vertices")) {
                if (each.path("name").asText().contains(operator)) {
                    vertex = each.path("id").asText();
                }
            }
            if (vertex == null) {
                return OptionalLong.empty();
            }
            String metrics = jobUrl + "/vertices/" + vertex + "/subtasks/metrics";
            // Its id: the operator's name as Flink escapes it, a dot, the metric's name.
            String id = operator.replace(' ', '_') + "." + name;
            for (JsonNode metric : get(metrics)) {
                if (metric.path("id").asText().equals(id)) {
                    JsonNode sums =
                            get(
                                    metrics
                                            + "?agg=sum&get="
                                            + URLEncoder.encode(id, StandardCharsets.UTF_8));
                    return sums.size() == 1
                            ? OptionalLong.of(Math.round(sums.get(0).path("sum").asDouble()))
                            : OptionalLong.empty();
                }
            }
            return OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200
                ? JSON.readTree(response.body())
                : JSON.createArrayNode();
    }
}
