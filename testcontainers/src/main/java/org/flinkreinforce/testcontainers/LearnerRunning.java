package org.flinkreinforce.testcontainers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Waits until the learner's job runs with every task, asking the Flink REST API in the container
 * ({@code /jobs/overview}). If the learner exits first (a bad option, a broker it cannot reach), it
 * fails at once with the end of the learner's output, instead of waiting out the timeout.
 */
final class LearnerRunning extends AbstractWaitStrategy {

    private static final Duration POLL = Duration.ofMillis(250);
    private static final Pattern JOB = Pattern.compile("\\{\"jid\":");
    private static final Pattern RUNNING_STATE = Pattern.compile("\"state\":\"RUNNING\"");
    private static final Pattern RUNNING_TASKS = Pattern.compile("\"running\":(\\d+)");
    private static final Pattern TOTAL_TASKS = Pattern.compile("\"total\":(\\d+)");
    private static final int OUTPUT_LINES = 40;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Override
    protected void waitUntilReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        String last = "no answer yet";
        while (true) {
            if (!waitStrategyTarget.isRunning()) {
                throw new ContainerLaunchException(
                        "The learner exited before it ran. Its last output:\n" + lastOutput());
            }
            try {
                String body = jobsOverview();
                if (learnerRuns(body)) {
                    return;
                }
                last = body;
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerLaunchException("Interrupted while waiting for the learner.", e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ContainerLaunchException(
                        "The learner did not run within "
                                + startupTimeout
                                + " (last /jobs/overview: "
                                + last
                                + "). Its last output:\n"
                                + lastOutput());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerLaunchException("Interrupted while waiting for the learner.", e);
            }
        }
    }

    private String jobsOverview() throws IOException, InterruptedException {
        URI uri =
                URI.create(
                        "http://"
                                + waitStrategyTarget.getHost()
                                + ":"
                                + waitStrategyTarget.getMappedPort(
                                        ReinforceLearnerContainer.WEB_UI_PORT)
                                + "/jobs/overview");
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " from " + uri);
        }
        return response.body();
    }

    /** Whether a job of {@code /jobs/overview} is RUNNING with all its tasks running. */
    static boolean learnerRuns(String jobsOverview) {
        String[] jobs = JOB.split(jobsOverview);
        for (int i = 1; i < jobs.length; i++) {
            String job = jobs[i];
            Matcher running = RUNNING_TASKS.matcher(job);
            Matcher total = TOTAL_TASKS.matcher(job);
            if (RUNNING_STATE.matcher(job).find()
                    && running.find()
                    && total.find()
                    && Integer.parseInt(running.group(1)) > 0
                    && running.group(1).equals(total.group(1))) {
                return true;
            }
        }
        return false;
    }

    private String lastOutput() {
        String[] lines =
                waitStrategyTarget
                        .getLogs(OutputFrame.OutputType.STDOUT, OutputFrame.OutputType.STDERR)
                        .split("\n");
        StringBuilder tail = new StringBuilder();
        for (int i = Math.max(0, lines.length - OUTPUT_LINES); i < lines.length; i++) {
            tail.append("  ").append(lines[i]).append('\n');
        }
        return tail.toString();
    }
}
