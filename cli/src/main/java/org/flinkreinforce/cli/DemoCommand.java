package org.flinkreinforce.cli;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinkreinforce.cli.kafka.DeadLetterCount;
import org.flinkreinforce.cli.sim.Environment;
import org.flinkreinforce.cli.sim.Simulator;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.util.SettingNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything in one process: Apache Kafka's KRaft broker, the learner on a Flink MiniCluster (web
 * UI on localhost:8081) and the closed-loop simulator, with a live progress line.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a real Kafka broker, the learner on a local Flink cluster and a simulated"
                    + " application in one process, and shows the policy learn.",
            "Scenarios: recs (a recommender: contextual bandit with a hidden linear reward model)"
                    + " and nas (an architecture-search controller: several categorical"
                    + " decisions, synthetic accuracy)."
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--scenario",
            defaultValue = "recs",
            description = "recs or nas (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(
            names = "--events",
            description =
                    "Events to produce (default: 300000 for recs, 100000 for nas: at the default rate, about a minute).")
    Long events;

    @Option(
            names = "--rate",
            defaultValue = "5000",
            description =
                    "Events per second the simulated application produces; 0 for as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--summary", paramLabel = "FILE", description = "Write a JSON summary here.")
    File summary;

    @Option(
            names = "--plot",
            paramLabel = "FILE.png",
            description = "Write the learning curve as a PNG here.")
    File plot;

    @Option(
            names = "--web-ui-port",
            defaultValue = "8081",
            description =
                    "Port of Flink's web UI (default: ${DEFAULT-VALUE}; the next free one up to +20 if taken).")
    int webUiPort;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the environment and the simulator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--kernel",
            defaultValue = "auto",
            description = "auto, native, vector or ejml (default: ${DEFAULT-VALUE}).")
    String kernel;

    /** Set by Ctrl-C: production stops, the demo reports what it has and shuts down. */
    private final AtomicBoolean stop = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        Environment environment = Environment.of(scenario, seed);
        long total = events != null ? events : scenario.equals("recs") ? 300_000 : 100_000;
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            stop.set(true);
                            try {
                                finished.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("flink-reinforce demo: " + environment.describe());
        System.out.println("Starting Apache Kafka (KRaft, in-process) ...");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            System.out.println("Kafka is up at " + broker.bootstrapServers() + ".");
            run(broker.clientProperties(), environment, total);
            System.out.println("Shutting down.");
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is waiting for us and may now return.
            }
        }
        return 0;
    }

    /** The demo's learner: small batches and frequent snapshots, so the curve moves visibly. */
    private LearnerConfig learnerConfig(Properties client, PolicySpec spec) {
        return LearnerConfig.builder()
                .kafka(client)
                .policies(List.of(spec))
                .set(LearnerOptions.BATCH_SIZE, scenario.equals("recs") ? 64 : 32)
                .set(LearnerOptions.BATCH_TIMEOUT, Duration.ofMillis(200))
                .set(LearnerOptions.PUBLISH_EVERY_UPDATES, 5)
                .set(LearnerOptions.PUBLISH_INTERVAL, Duration.ofMillis(500))
                .set(LearnerOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500))
                .set(LearnerOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(1))
                .set(LearnerOptions.LEARNING_RATE, 0.05)
                .set(LearnerOptions.KERNEL, kernel)
                .set(LearnerOptions.GROUP_ID, "reinforce-demo")
                .build();
    }

    /** Runs the learner on a local cluster and the simulated application against it; reports. */
    private void run(Properties client, Environment environment, long total) throws Exception {
        String policyId = scenario;
        PolicySpec spec = environment.spec(policyId);
        LearnerConfig config = learnerConfig(client, spec);
        Configuration flink = new Configuration();
        flink.set(RestOptions.BIND_PORT, webUiPort + "-" + (webUiPort + 20));
        // Like learn's: on localhost only, and no jar can be uploaded nor job cancelled through it.
        flink.set(RestOptions.BIND_ADDRESS, "localhost");
        flink.set(RestOptions.ADDRESS, "localhost");
        flink.set(WebOptions.SUBMIT_ENABLE, false);
        flink.set(WebOptions.CANCEL_ENABLE, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        env.setParallelism(2);
        JobClient job = LearnerJob.kafka(config).start(env);
        String resolvedKernel =
                GradientKernels.resolve(SettingNames.parse(KernelChoice.class, kernel, "kernel"))
                        .kernel();
        System.out.println(
                "Learner job "
                        + job.getJobID()
                        + " is running on a local Flink"
                        + " cluster; web UI: http://localhost:"
                        + webUiPort
                        + " (or the next free port). Kernel: "
                        + resolvedKernel
                        + ".");
        try (PolicyClient policies =
                        new PolicyClient(client, config.get(LearnerOptions.PARAMETERS_TOPIC));
                EventLogger logger =
                        new EventLogger(client, config.get(LearnerOptions.EVENTS_TOPIC))) {
            Simulator simulator = new Simulator(environment, policyId, policies, logger, seed);
            DemoReport report = new DemoReport(scenario, environment, spec, total);
            double initial = environment.expectedReward(PolicyParameters.zeros(spec));
            System.out.printf(
                    "Expected reward: uniform %.4f, optimal %.4f. Producing %d"
                            + " events at %s.%n",
                    initial,
                    environment.optimalReward(),
                    total,
                    rate > 0 ? (long) rate + "/s" : "full speed");
            long started = System.nanoTime();
            long produced = produce(simulator, environment, policies, report, total);
            double producingSeconds = (System.nanoTime() - started) / 1e9;
            awaitApplied(policies, report, produced, started);
            ParameterSnapshot last = policies.snapshot(policyId).orElse(null);
            long deadLetters =
                    DeadLetterCount.count(client, config.get(LearnerOptions.DEAD_LETTER_TOPIC));
            report.finish(
                    produced,
                    last,
                    deadLetters,
                    produced / producingSeconds,
                    resolvedKernel,
                    initial);
            write(report);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Produces {@code total} events (fewer if stopped), sampling the curve and printing progress.
     */
    private long produce(
            Simulator simulator,
            Environment environment,
            PolicyClient policies,
            DemoReport report,
            long total)
            throws Exception {
        report.sample(0, null);
        return simulator.run(
                total,
                rate,
                progress -> {
                    ParameterSnapshot snapshot = policies.snapshot(scenario).orElse(null);
                    report.sample(progress.seconds(), snapshot);
                    System.out.printf(
                            "%8d events (%6.0f/s) | version %5d | mean reward"
                                    + " %8.4f | validated %8.4f | expected %8.4f of %.4f%n",
                            progress.eventsProduced(),
                            progress.eventsPerSecond(),
                            progress.version(),
                            progress.recentMeanReward(),
                            snapshot == null
                                    ? Double.NaN
                                    : snapshot.statistics().validation().snips(),
                            progress.expectedReward(),
                            environment.optimalReward());
                },
                stop::get);
    }

    /** Waits up to 120 s for a snapshot that applied every produced event, sampling the curve. */
    private void awaitApplied(PolicyClient policies, DemoReport report, long produced, long started)
            throws InterruptedException {
        System.out.println("Waiting for the learner to apply every event ...");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!stop.get()
                && policies.eventsApplied(scenario) < produced
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
            report.sample(
                    (System.nanoTime() - started) / 1e9, policies.snapshot(scenario).orElse(null));
        }
        report.sample(
                (System.nanoTime() - started) / 1e9, policies.snapshot(scenario).orElse(null));
    }

    private void write(DemoReport report) throws IOException {
        report.printSummary(System.out);
        if (summary != null) {
            report.writeJson(summary);
            System.out.println("Summary written to " + summary + ".");
        }
        if (plot != null) {
            report.writePlot(plot);
            System.out.println("Learning curve written to " + plot + ".");
        }
    }
}
