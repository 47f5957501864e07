package org.flinkreinforce.cli;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.NewTopic;
import org.flinkreinforce.cli.kafka.DeadLetterWatch;
import org.flinkreinforce.cli.sim.Environment;
import org.flinkreinforce.cli.sim.RewardDelay;
import org.flinkreinforce.cli.sim.RewardForm;
import org.flinkreinforce.cli.sim.Simulator;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.model.PolicySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The demo's simulated application against an external Kafka. It creates the topics as the learner
 * would, and warns when no learner publishes a version of its policy in time or its events come
 * back as dead letters. By default it logs decisions and their delayed rewards apart, for a learner
 * with {@code rewards.join}; {@code --rewards inline} logs events with their reward.
 */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description =
                "Acts as an application would: decides with the newest published policy, acts in"
                        + " a simulated environment and logs each decision and, when it comes, its"
                        + " reward (or, with --rewards inline, each event with its reward).")
public final class SimulateCommand implements Callable<Integer> {

    @Mixin KafkaOptions kafka;

    @Option(names = "--scenario", required = true, description = "recs or nas.")
    String scenario;

    @Option(
            names = "--policy-id",
            required = true,
            description =
                    "The policy to decide with; the learner must learn it with the scenario's shape (recs: ID:16:10, nas: ID:0:6,6,4,4).")
    String policyId;

    @Option(names = "--events", description = "Events to produce (default: until Ctrl-C).")
    Long events;

    @Option(
            names = "--rate",
            defaultValue = "100",
            paramLabel = "PER_SECOND",
            description =
                    "Events per second; 0 for as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of the environment (its hidden reward model) and the decisions (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin RewardOptions rewards;

    @Option(names = "--events-topic", description = "Default: ${DEFAULT-VALUE}.")
    String eventsTopic = LearnerOptions.EVENTS_TOPIC.defaultValue();

    @Option(
            names = "--decisions-topic",
            description = "Where decisions go in the split form (default: ${DEFAULT-VALUE}).")
    String decisionsTopic = LearnerOptions.DECISIONS_TOPIC.defaultValue();

    @Option(
            names = "--rewards-topic",
            description = "Where rewards go in the split form (default: ${DEFAULT-VALUE}).")
    String rewardsTopic = LearnerOptions.REWARDS_TOPIC.defaultValue();

    @Option(names = "--parameters-topic", description = "Default: ${DEFAULT-VALUE}.")
    String parametersTopic = LearnerOptions.PARAMETERS_TOPIC.defaultValue();

    @Option(names = "--dead-letter-topic", description = "Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic = LearnerOptions.DEAD_LETTER_TOPIC.defaultValue();

    @Option(
            names = "--event-partitions",
            description =
                    "Partitions of the events topic (and in the split form of the decisions and"
                            + " rewards topics) if it does not exist yet, as the learner creates"
                            + " it (default: ${DEFAULT-VALUE}).")
    int eventPartitions = LearnerOptions.EVENT_PARTITIONS.defaultValue();

    @Option(
            names = "--learner-timeout",
            paramLabel = "DURATION",
            defaultValue = "30 s",
            description =
                    "Warn when no learner has published a version of the policy this long after"
                            + " the start (default: ${DEFAULT-VALUE}).")
    Duration learnerTimeout;

    @Override
    public Integer call() throws Exception {
        Environment environment = Environment.of(scenario, seed);
        Properties client = kafka.connect();
        try {
            KafkaTopics.ensure(
                    client,
                    eventsTopic,
                    parametersTopic,
                    deadLetterTopic,
                    eventPartitions,
                    List.of(environment.spec(policyId)));
            if (rewards.form == RewardForm.SPLIT) {
                KafkaTopics.createMissing(
                        client,
                        List.of(
                                new NewTopic(
                                        decisionsTopic,
                                        Optional.of(eventPartitions),
                                        Optional.empty()),
                                new NewTopic(
                                        rewardsTopic,
                                        Optional.of(eventPartitions),
                                        Optional.empty())));
            }
        } catch (IllegalStateException e) {
            // e.g. not allowed to create topics: the learner (or an administrator) makes them
            System.out.println("WARNING: " + Failures.describe(e));
        }
        AtomicBoolean stop = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
        RewardDelay delay = rewards.delay(environment);
        boolean split = rewards.form == RewardForm.SPLIT;
        System.out.println(
                "Simulating "
                        + environment.describe()
                        + " as policy "
                        + policyId
                        + " ("
                        + environment.spec(policyId)
                        + ")"
                        + (split
                                ? ": decisions to "
                                        + decisionsTopic
                                        + ", rewards to "
                                        + rewardsTopic
                                        + ", "
                                        + delay.describe()
                                        + " after their decision."
                                : ": events with their reward to " + eventsTopic + "."));
        try (PolicyClient policies = new PolicyClient(client, parametersTopic);
                EventLogger logger =
                        new EventLogger(
                                client,
                                eventsTopic,
                                decisionsTopic,
                                rewardsTopic,
                                EventFormat.JSON);
                DeadLetterWatch deadLetters = new DeadLetterWatch(client, deadLetterTopic)) {
            Warnings warnings =
                    new Warnings(policies, deadLetters, environment.spec(policyId), delay);
            Simulator simulator =
                    new Simulator(
                            environment, policyId, policies, logger, seed, rewards.form, delay);
            long produced =
                    simulator.run(
                            events == null ? Long.MAX_VALUE : events,
                            rate,
                            progress -> {
                                System.out.printf(
                                        "%8d events (%6.0f/s) | version %5d |"
                                                + " mean reward %8.4f | expected %8.4f of %.4f%s%n",
                                        progress.eventsProduced(),
                                        progress.eventsPerSecond(),
                                        progress.version(),
                                        progress.recentMeanReward(),
                                        progress.expectedReward(),
                                        environment.optimalReward(),
                                        split
                                                ? String.format(
                                                        " | rewards due %d", progress.rewardsDue())
                                                : "");
                                warnings.check(progress.seconds());
                            },
                            stop::get);
            System.out.println(
                    split
                            ? "Produced "
                                    + produced
                                    + " decisions and "
                                    + simulator.rewardsLogged()
                                    + " rewards."
                            : "Produced " + produced + " events.");
            warnings.finish(produced, stop::get);
        }
        return 0;
    }

    /**
     * The two warnings: no learner, and events that come back as dead letters; and at the end, in
     * the split form, the decisions a learner still holds.
     */
    private final class Warnings {
        private final PolicyClient policies;
        private final DeadLetterWatch deadLetters;
        private final PolicySpec spec;
        private final RewardDelay delay;

        /** The events of the policy that learners had applied before this run. */
        private final long appliedBefore;

        private boolean warnedNoLearner;
        private long deadLettered;
        private boolean warnedDeadLetters;

        Warnings(
                PolicyClient policies,
                DeadLetterWatch deadLetters,
                PolicySpec spec,
                RewardDelay delay)
                throws InterruptedException {
            this.policies = policies;
            this.deadLetters = deadLetters;
            this.spec = spec;
            this.delay = delay;
            policies.awaitCaughtUp(Duration.ofSeconds(5));
            this.appliedBefore = policies.eventsApplied(policyId);
        }

        /** How to start a learner for this run, e.g. {@code learn --policy shop:16:10}. */
        private String learnCommand() {
            return rewards.form == RewardForm.SPLIT
                    ? "learn --policy "
                            + spec
                            + " --rewards-join true --reward-wait '"
                            + Durations.format(delay.maximum().plus(DemoCommand.WAIT_MARGIN))
                            + "'"
                    : "learn --policy " + spec;
        }

        void check(double seconds) {
            if (!warnedNoLearner
                    && deadLettered == 0
                    && seconds >= learnerTimeout.toMillis() / 1000.0
                    && policies.snapshot(policyId).isEmpty()) {
                warnedNoLearner = true;
                System.out.println(
                        "WARNING: no learner has published a version of policy "
                                + policyId
                                + " on "
                                + parametersTopic
                                + " within "
                                + Durations.format(learnerTimeout)
                                + ": is `"
                                + learnCommand()
                                + "` running against the same brokers and topics?");
            }
            DeadLetterWatch.Tally tally = deadLetters.take().get(policyId);
            if (tally != null) {
                deadLettered += tally.total();
            }
            if (tally != null && !warnedDeadLetters) {
                warnedDeadLetters = true;
                DeadLetterReason reason = tally.mostCommon();
                System.out.println(
                        "WARNING: "
                                + deadLettered
                                + " events of policy "
                                + policyId
                                + " came back as dead letters on "
                                + deadLetterTopic
                                + ", most for "
                                + reason
                                + ": \""
                                + tally.detail(reason)
                                + "\"");
            }
        }

        /**
         * Waits (up to 15 s: the learner commits what it publishes and rejects with its
         * checkpoints) until every produced event is accounted for, applied or dead-lettered, or
         * nothing has changed for 3 s after the first of them; then says what became of them.
         */
        void finish(long produced, java.util.function.BooleanSupplier stopped)
                throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            long seen = -1;
            long quietSince = System.nanoTime();
            while (produced > 0 && !stopped.getAsBoolean() && System.nanoTime() < deadline) {
                check(0);
                long accounted = policies.eventsApplied(policyId) - appliedBefore + deadLettered;
                if (accounted >= produced) {
                    break;
                }
                if (accounted != seen) {
                    seen = accounted;
                    quietSince = System.nanoTime();
                } else if (accounted > 0
                        && System.nanoTime() - quietSince > Duration.ofSeconds(3).toNanos()) {
                    break;
                }
                Thread.sleep(250);
            }
            check(Double.MAX_VALUE);
            if (deadLettered > 0) {
                System.out.println(
                        deadLettered
                                + " of the "
                                + produced
                                + " events came back as dead letters on "
                                + deadLetterTopic
                                + ".");
            }
            long waiting =
                    produced - (policies.eventsApplied(policyId) - appliedBefore) - deadLettered;
            if (rewards.form == RewardForm.SPLIT && waiting > 0 && !warnedNoLearner) {
                System.out.println(
                        waiting
                                + " of the "
                                + produced
                                + " decisions are not learned from yet: a learner that joins in"
                                + " event time holds each decision until newer decisions or"
                                + " rewards carry its time past the decision's reward.wait, so"
                                + " the last ones join once the application logs more.");
            }
        }
    }
}
