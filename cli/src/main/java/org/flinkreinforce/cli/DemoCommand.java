package org.flinkreinforce.cli;

import java.io.File;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
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
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;
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

    static final String EVENTS = "reinforce-events";
    static final String PARAMETERS = "reinforce-parameters";
    static final String DEAD_LETTERS = "reinforce-dead-letters";

    @Option(
            names = "--scenario",
            defaultValue = "recs",
            description = "recs or nas (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(
            names = "--events",
            description =
                    "Events to produce (default: 60000 for recs, 20000 for nas, about a minute).")
    Long events;

    @Option(
            names = "--rate",
            defaultValue = "1000",
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

    @Override
    public Integer call() throws Exception {
        Environment environment = Environment.of(scenario, seed);
        String policyId = scenario;
        PolicySpec spec = environment.spec(policyId);
        long total = events != null ? events : scenario.equals("recs") ? 60_000 : 20_000;
        AtomicBoolean stop = new AtomicBoolean();
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
            Map<String, String> settings = new HashMap<>();
            settings.put("bootstrap.servers", broker.bootstrapServers());
            settings.put("policies", spec.toString());
            settings.put("batch.size", scenario.equals("recs") ? "64" : "32");
            settings.put("batch.timeout", "200 ms");
            settings.put("publish.every-updates", "5");
            settings.put("publish.interval", "500 ms");
            settings.put("checkpoint.interval", "500 ms");
            settings.put("transaction.timeout", "1 min");
            settings.put("learning-rate", "0.05");
            settings.put("kernel", kernel);
            settings.put("group.id", "reinforce-demo");
            LearnerConfig config = LearnerConfig.fromMap(settings);
            Configuration flink = new Configuration();
            flink.set(RestOptions.BIND_PORT, webUiPort + "-" + (webUiPort + 20));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            env.setParallelism(2);
            JobClient job = LearnerJob.kafka(config).start(env);
            String resolvedKernel = GradientKernels.resolve(KernelChoice.parse(kernel)).kernel();
            System.out.println(
                    "Learner job "
                            + job.getJobID()
                            + " is running on a local Flink"
                            + " cluster; web UI: http://localhost:"
                            + webUiPort
                            + " (or the next free port). Kernel: "
                            + resolvedKernel
                            + ".");
            try (PolicyClient client = new PolicyClient(broker.clientProperties(), PARAMETERS);
                    EventLogger logger = new EventLogger(broker.clientProperties(), EVENTS)) {
                Simulator simulator = new Simulator(environment, policyId, client, logger, seed);
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
                report.sample(0, null);
                long produced =
                        simulator.run(
                                total,
                                rate,
                                progress -> {
                                    report.sample(
                                            progress.seconds(),
                                            client.snapshot(policyId).orElse(null));
                                    System.out.printf(
                                            "%8d events (%6.0f/s) | version %5d | mean reward"
                                                    + " %8.4f | expected %8.4f of %.4f%n",
                                            progress.eventsProduced(),
                                            progress.eventsPerSecond(),
                                            progress.version(),
                                            progress.recentMeanReward(),
                                            progress.expectedReward(),
                                            environment.optimalReward());
                                },
                                stop::get);
                double producingSeconds = (System.nanoTime() - started) / 1e9;
                System.out.println("Waiting for the learner to apply every event ...");
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (!stop.get()
                        && client.eventsApplied(policyId) < produced
                        && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    report.sample(
                            (System.nanoTime() - started) / 1e9,
                            client.snapshot(policyId).orElse(null));
                }
                report.sample(
                        (System.nanoTime() - started) / 1e9,
                        client.snapshot(policyId).orElse(null));
                ParameterSnapshot last = client.snapshot(policyId).orElse(null);
                long deadLetters = DeadLetterCount.count(broker.clientProperties(), DEAD_LETTERS);
                report.finish(
                        produced,
                        last,
                        deadLetters,
                        produced / producingSeconds,
                        resolvedKernel,
                        initial);
                report.printSummary(System.out);
                if (summary != null) {
                    report.writeJson(summary);
                    System.out.println("Summary written to " + summary + ".");
                }
                if (plot != null) {
                    report.writePlot(plot);
                    System.out.println("Learning curve written to " + plot + ".");
                }
            } finally {
                job.cancel().get();
            }
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
}
