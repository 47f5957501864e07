package org.flinkreinforce.job.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;

/** A running job's checkpoint counts, from Flink's REST API. */
public final class Checkpoints {

    private final String url;

    private Checkpoints(String url) {
        this.url = url;
    }

    /** The checkpoints of {@code job} on {@code cluster}. */
    public static Checkpoints of(MiniCluster cluster, JobClient job) throws Exception {
        return new Checkpoints(
                cluster.getRestAddress().get() + "/jobs/" + job.getJobID() + "/checkpoints");
    }

    public long completed() {
        return count("completed");
    }

    public long failed() {
        return count("failed");
    }

    public long restored() {
        return count("restored");
    }

    /** One of the counts the REST API gives; -1 where it does not answer. */
    private long count(String name) {
        try {
            String body =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(url)).build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
            Matcher matcher = Pattern.compile("\"" + name + "\":(\\d+)").matcher(body);
            return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
