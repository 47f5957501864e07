package org.flinkreinforce.cli;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointFailureManager;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.flinkreinforce.cli.flink.JoinMetrics;
import org.flinkreinforce.cli.flink.LocalCluster;
import org.flinkreinforce.cli.kafka.DeadLetterCount;
import org.flinkreinforce.cli.sim.RewardDelay;
import org.flinkreinforce.cli.sim.RewardForm;
import org.flinkreinforce.cli.sim.Simulator;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.util.SettingNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything in one process: Apache Kafka's KRaft broker, the learner on a Flink MiniCluster (web
 * UI on localhost:8081) and the closed-loop simulator, with a live progress line.
 *
 * <p>By default the simulated application logs its decisions and their delayed rewards apart, and
 * the learner joins them in event time ({@link #joinSettings}); the progress line then shows the
 * join's pending decisions and defaulted rewards, read from Flink's REST API ({@link JoinMetrics}).
 * {@code --rewards inline} logs each decision with its reward as one event.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a real Kafka broker, the learner on a local Flink cluster and a simulated"
                    + " application in one process, and shows the policy learn.",
            "Scenarios: recs (a recommender: contextual bandit with a hidden linear reward model)"
                    + ", nas (an architecture-search controller: several categorical"
                    + " decisions, synthetic accuracy) and catalogue (a ranker of a shop's"
                    + " changing catalogue, items described by features)."
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--scenario",
            defaultValue = "recs",
            description = "recs, nas or catalogue (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(
            names = "--events",
            description =
                    "Events to produce (default: 300000 for recs, 100000 for nas and catalogue: at the"
                            + " default rate, about a minute).")
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

    @Mixin RewardOptions rewards;

    /** How much longer than the longest reward delay the learner waits for a reward. */
    static final Duration WAIT_MARGIN = Duration.ofSeconds(2);

    /** The learner's bound on how far a record may arrive behind a later-timed one. */
    static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(1);

    /** After this long without records, a partition no longer holds the learner's time back. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

    /** Set by Ctrl-C: production stops, the demo reports what it has and shuts down. */
    private final AtomicBoolean stop = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        DemoScenario demo = DemoScenario.of(scenario, seed);
        long total = events != null ? events : demo.defaultEvents();
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
        System.out.println("flink-reinforce demo: " + demo.describe());
        System.out.println("Starting Apache Kafka (KRaft, in-process) ...");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            System.out.println("Kafka is up at " + broker.bootstrapServers() + ".");
            run(broker.clientProperties(), demo, total);
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

    /**
     * The demo's learner: small batches and frequent snapshots, so the curve moves visibly; in the
     * split form it joins decisions with their rewards ({@link #joinSettings}).
     */
    private LearnerConfig learnerConfig(Properties client, DemoScenario demo, RewardDelay delay) {
        LearnerConfig.Builder builder = LearnerConfig.builder();
        if (rewards.form == RewardForm.SPLIT) {
            joinSettings(builder, demo.unobservedReward(), delay);
        }
        demo.configure(builder);
        return builder.kafka(client)
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

    /**
     * Joins decisions with their rewards in event time (the records' timestamps, which the
     * simulator takes as it logs): a decision waits {@link #WAIT_MARGIN} longer than the longest
     * delay, so that every reward counts; a partition without records for {@link #IDLE_TIMEOUT} no
     * longer holds the time back. A decision without a reward is learned from with the scenario's
     * value of none ({@code unobserved}; recs and catalogue: no click, 0) or, where it has none
     * (nas), dropped.
     */
    static void joinSettings(
            LearnerConfig.Builder builder, OptionalDouble unobserved, RewardDelay delay) {
        builder.set(LearnerOptions.JOIN_REWARDS, true)
                .set(LearnerOptions.REWARD_WAIT, delay.maximum().plus(WAIT_MARGIN))
                .set(LearnerOptions.REWARD_OUT_OF_ORDERNESS, OUT_OF_ORDERNESS)
                .set(LearnerOptions.REWARD_IDLE_TIMEOUT, IDLE_TIMEOUT);
        if (unobserved.isPresent()) {
            builder.set(LearnerOptions.REWARD_UNREWARDED, "default")
                    .set(LearnerOptions.REWARD_DEFAULT, unobserved.getAsDouble());
        } else {
            builder.set(LearnerOptions.REWARD_UNREWARDED, "drop");
        }
    }

    /** Runs the learner on a local cluster and the simulated application against it; reports. */
    private void run(Properties client, DemoScenario demo, long total) throws Exception {
        RewardDelay delay = demo.rewardDelay(rewards);
        LearnerConfig config = learnerConfig(client, demo, delay);
        try (LocalCluster cluster = localCluster()) {
            // The progress line reads the join's metrics each second.
            cluster.configuration()
                    .set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
            StreamExecutionEnvironment env = cluster.environment();
            env.setParallelism(2);
            JobClient job = LearnerJob.kafka(config).start(env);
            try {
                run(client, demo, total, config, delay, cluster, job);
            } finally {
                stop(job);
            }
        }
    }

    /**
     * Cancels the job. Its checkpoint in flight is aborted, which Flink logs as a failed
     * checkpoint; in the split form, whose checkpoints hold the join's windows and take longer than
     * their interval, there nearly always is one. That is no news once the demo has reported, so
     * such warnings are not shown from here on.
     */
    private static void stop(JobClient job) throws Exception {
        Configurator.setLevel(CheckpointFailureManager.class.getName(), Level.ERROR);
        job.cancel().get();
    }

    /**
     * A local cluster whose web UI takes the first free port from {@code --web-ui-port} up to 20
     * more; checkpoints go to its run directory, removed with it.
     */
    private LocalCluster localCluster() throws IOException {
        for (int port = webUiPort; ; port++) {
            try {
                return LocalCluster.create("localhost", port, null);
            } catch (LocalCluster.PortTakenException e) {
                if (port >= webUiPort + 20) {
                    throw e;
                }
            }
        }
    }

    /** Runs the simulated application against the learner {@code job} and reports. */
    private void run(
            Properties client,
            DemoScenario demo,
            long total,
            LearnerConfig config,
            RewardDelay delay,
            LocalCluster cluster,
            JobClient job)
            throws Exception {
        String resolvedKernel =
                GradientKernels.resolve(SettingNames.parse(KernelChoice.class, kernel, "kernel"))
                        .kernel();
        System.out.println(
                "Learner job "
                        + job.getJobID()
                        + " is running on a local Flink"
                        + " cluster; web UI: "
                        + cluster.webUiUrl()
                        + ". Kernel: "
                        + resolvedKernel
                        + ".");
        JoinMetrics join = new JoinMetrics(cluster.webUiUrl(), job.getJobID());
        if (rewards.form == RewardForm.SPLIT) {
            System.out.println(
                    "Decisions and rewards are logged apart; a reward comes "
                            + delay.describe()
                            + " after its decision"
                            + (demo.unobservedReward().isPresent()
                                    ? ", or never (no click: the learner's reward.default, "
                                            + demo.unobservedReward().getAsDouble()
                                            + ")"
                                    : "")
                            + "; the learner waits "
                            + Durations.format(config.get(LearnerOptions.REWARD_WAIT))
                            + " for it (rewards.join, in event time).");
        }
        try (PolicyClient policies =
                        new PolicyClient(client, config.get(LearnerOptions.PARAMETERS_TOPIC));
                EventLogger logger =
                        new EventLogger(
                                client,
                                config.get(LearnerOptions.EVENTS_TOPIC),
                                config.get(LearnerOptions.DECISIONS_TOPIC),
                                config.get(LearnerOptions.REWARDS_TOPIC),
                                EventFormat.JSON)) {
            // The application's own measures count the last half of the run's decisions.
            Simulator simulator =
                    new Simulator(
                            demo.application(policies, total / 2),
                            logger,
                            seed,
                            rewards.form,
                            delay);
            DemoReport report =
                    new DemoReport(
                            scenario,
                            demo.policy(),
                            demo.uniformReward(),
                            demo.optimalReward(),
                            total);
            double initial = demo.uniformReward();
            System.out.printf(
                    "Expected reward: uniform %.4f, optimal %.4f. Producing %d"
                            + " events at %s.%n",
                    demo.uniformReward(),
                    demo.optimalReward(),
                    total,
                    rate > 0 ? (long) rate + "/s" : "full speed");
            long started = System.nanoTime();
            Progress progress = new Progress(demo, policies, report, join, started);
            long produced = produce(simulator, progress, total);
            // Up to the last decision: in the split form run() returns after its reward.
            double producingRate =
                    produced == 0
                            ? 0
                            : produced / ((simulator.lastDecisionNanos() - started) / 1e9);
            if (rewards.form == RewardForm.SPLIT) {
                awaitJoined(simulator, config, policies, progress, produced);
            } else {
                awaitApplied(policies, progress, produced);
            }
            DemoScenario.Published last = demo.published(policies);
            long deadLetters =
                    DeadLetterCount.count(client, config.get(LearnerOptions.DEAD_LETTER_TOPIC));
            report.finish(produced, last, deadLetters, producingRate, resolvedKernel, initial);
            demo.finish(report, policies);
            if (rewards.form == RewardForm.SPLIT) {
                report.split(
                        delay,
                        config.get(LearnerOptions.REWARD_WAIT),
                        simulator.rewardsLogged(),
                        finalCounts(join, last.eventsApplied()));
            }
            write(report);
        }
    }

    /**
     * Produces {@code total} events (fewer if stopped), sampling the curve and printing progress.
     */
    private long produce(Simulator simulator, Progress progress, long total) throws Exception {
        progress.report.sample(0, new DemoScenario.Published(0, 0, progress.demo.uniformReward()));
        return simulator.run(
                total,
                rate,
                step ->
                        progress.print(
                                String.format(
                                        "%8d events (%6.0f/s) | version %5d | mean reward"
                                                + " %8.4f",
                                        step.eventsProduced(),
                                        step.eventsPerSecond(),
                                        step.version(),
                                        step.recentMeanReward())),
                stop::get);
    }

    /** Waits up to 120 s for a snapshot that applied every produced event, sampling the curve. */
    private void awaitApplied(PolicyClient policies, Progress progress, long produced)
            throws InterruptedException {
        System.out.println("Waiting for the learner to apply every event ...");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!stop.get()
                && policies.eventsApplied(scenario) < produced
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
            progress.sample();
        }
        progress.sample();
    }

    /**
     * In the split form: waits for the last decisions' windows to pass, logs the {@link
     * Simulator#logClosingDecision closing decision} that carries the learner's event time past
     * them, and waits up to 120 s more for a snapshot that applied every produced event; a progress
     * line a second meanwhile.
     */
    private void awaitJoined(
            Simulator simulator,
            LearnerConfig config,
            PolicyClient policies,
            Progress progress,
            long produced)
            throws InterruptedException {
        long closing =
                simulator.closingDecisionDueNanos(
                        config.get(LearnerOptions.REWARD_WAIT).plus(OUT_OF_ORDERNESS),
                        IDLE_TIMEOUT.plusSeconds(1));
        System.out.printf(
                "Waiting for the learner to join and apply every event (a last decision in %.0f s"
                        + " carries its event time past the last decisions' wait) ...%n",
                Math.max(0, closing - System.nanoTime()) / 1e9);
        long deadline = closing + Duration.ofSeconds(120).toNanos();
        boolean closed = false;
        long nextLine = System.nanoTime();
        while (!stop.get()
                && policies.eventsApplied(scenario) < produced
                && System.nanoTime() < deadline) {
            if (!closed && System.nanoTime() >= closing) {
                simulator.logClosingDecision();
                closed = true;
            }
            if (System.nanoTime() >= nextLine) {
                progress.print(
                        String.format(
                                "%8s waiting  | applied %,d of %,d",
                                "", policies.eventsApplied(scenario), produced));
                nextLine += 1_000_000_000L;
            }
            Thread.sleep(200);
            progress.sample();
        }
        progress.sample();
    }

    /**
     * The join's counts once they account for the {@code applied} events (the REST endpoint
     * refreshes them each second): up to 5 s; null where they cannot be read.
     */
    private static JoinMetrics.Counts finalCounts(JoinMetrics join, long applied)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JoinMetrics.Counts counts = join.read().orElse(null);
        while ((counts == null || counts.joined() < applied) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            counts = join.read().orElse(counts);
        }
        return counts;
    }

    /**
     * The progress line and the learning curve: what the simulator reports, the newest published
     * policy and, in the split form, the join's pending decisions and rewards defaulted (or
     * dropped).
     */
    private final class Progress {
        final DemoScenario demo;
        final PolicyClient policies;
        final DemoReport report;
        final JoinMetrics join;
        final long started;

        Progress(
                DemoScenario demo,
                PolicyClient policies,
                DemoReport report,
                JoinMetrics join,
                long started) {
            this.demo = demo;
            this.policies = policies;
            this.report = report;
            this.join = join;
            this.started = started;
        }

        /** Samples the curve. */
        void sample() {
            report.sample((System.nanoTime() - started) / 1e9, demo.published(policies));
        }

        /** Samples the curve and prints {@code head}, then the policy's and the join's state. */
        void print(String head) {
            sample();
            StringBuilder line = new StringBuilder(head).append(demo.progress(policies));
            if (rewards.form == RewardForm.SPLIT) {
                line.append(joinState());
            }
            System.out.println(line);
        }

        private String joinState() {
            JoinMetrics.Counts counts = null;
            try {
                counts = join.read().orElse(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            boolean defaults = demo.unobservedReward().isPresent();
            String unrewarded = defaults ? "defaulted" : "dropped";
            if (counts == null) {
                return " | pending       ? | " + unrewarded + "        ?";
            }
            return String.format(
                    " | pending %7d | %s %8d",
                    counts.pending(), unrewarded, defaults ? counts.defaulted() : counts.dropped());
        }
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
