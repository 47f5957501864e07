package org.flinkreinforce.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.flinkreinforce.cli.flink.JoinMetrics;
import org.flinkreinforce.cli.kafka.DeadLetterWatch;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.client.kafka.PolicyControlTopic;
import org.flinkreinforce.formats.deadletter.DeadLetterReason;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.ValidationStatistics;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.model.evaluation.Estimate;

/**
 * What {@code learn} tells the operator, read back from Kafka as an application would see it: the
 * events the learner has read since it started (its consumer group's committed offsets) and how far
 * behind it is, the events applied since it started and the version and progressive-validation
 * estimate of each policy (its snapshots), and the dead letters by reason. {@link #report} prints
 * one line; a policy whose recent events mostly went to the dead-letter topic gets a warning naming
 * the reason, with an example, whether or not lines are printed. The policies are those the control
 * topic defines (the configured ones and an operator's), followed every few seconds, so that a
 * policy added while the learner runs ({@code reinforce policy add}) joins the line.
 */
final class LearnProgress implements AutoCloseable {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final LearnerConfig config;
    private final PolicyClient snapshots;
    private final DeadLetterWatch deadLetters;
    private final Admin admin;
    private final String webUiUrl;
    private final JoinMetrics join;
    private final PrintStream out;

    /** How many reports pass between two reads of the control topic. */
    private static final int FOLLOW_EVERY = 5;

    /**
     * The ids of the policies the learner learns: the configured softmax, then ranker policies,
     * then those the control topic defines besides, in the order they were found.
     */
    private final Set<String> policyIds = new LinkedHashSet<>();

    private final Properties client;
    private int reports;

    private final Map<String, Long> appliedAtStart = new HashMap<>();
    private final Map<String, Long> appliedAtLastReport = new HashMap<>();
    private Long readAtStart;

    /**
     * @param job the learner's job on the cluster whose web UI is {@code webUiUrl}: with {@code
     *     rewards.join}, the line adds the join's counts, read from its metrics
     */
    LearnProgress(
            Properties client, LearnerConfig config, String webUiUrl, JobID job, PrintStream out) {
        this.config = config;
        this.client = client;
        policyIds.addAll(config.policies().keySet());
        policyIds.addAll(config.rankers().keySet());
        this.webUiUrl = webUiUrl;
        this.join = config.get(LearnerOptions.JOIN_REWARDS) ? new JoinMetrics(webUiUrl, job) : null;
        this.out = out;
        this.snapshots = new PolicyClient(client, config.get(LearnerOptions.PARAMETERS_TOPIC));
        this.deadLetters =
                new DeadLetterWatch(client, config.get(LearnerOptions.DEAD_LETTER_TOPIC));
        Properties adminProperties = new Properties();
        adminProperties.putAll(client);
        adminProperties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        adminProperties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        this.admin = Admin.create(adminProperties);
        try {
            // What earlier runs applied is not this run's progress.
            snapshots.awaitCaughtUp(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        follow();
    }

    /**
     * Adds the policies the control topic defines that the line does not show yet, counting their
     * events applied from now on; a read that fails is left to the next.
     */
    private void follow() {
        Set<String> defined;
        try {
            defined =
                    PolicyControlTopic.read(
                                    client,
                                    config.get(LearnerOptions.CONTROL_TOPIC),
                                    Duration.ofSeconds(5))
                            .defined()
                            .keySet();
        } catch (RuntimeException e) {
            defined = Set.of();
        }
        policyIds.addAll(defined);
        for (String policy : policyIds) {
            if (!appliedAtStart.containsKey(policy)) {
                long applied = snapshots.eventsApplied(policy);
                appliedAtStart.put(policy, applied);
                appliedAtLastReport.put(policy, applied);
            }
        }
    }

    /** Prints the progress line ({@code line}) and the warnings of the interval since the last. */
    void report(boolean line) {
        if (++reports % FOLLOW_EVERY == 0) {
            follow();
        }
        Map<String, DeadLetterWatch.Tally> recent = deadLetters.take();
        if (line) {
            out.println(line());
        }
        for (Map.Entry<String, DeadLetterWatch.Tally> entry : recent.entrySet()) {
            String policy = entry.getKey();
            long applied = snapshots.eventsApplied(policy);
            long appliedRecently = applied - appliedAtLastReport.getOrDefault(policy, applied);
            DeadLetterWatch.Tally tally = entry.getValue();
            if (tally.total() >= appliedRecently) {
                out.println(warning(policy, tally, appliedRecently));
            }
        }
        for (String policy : policyIds) {
            appliedAtLastReport.put(policy, snapshots.eventsApplied(policy));
        }
        out.flush();
    }

    private String warning(String policy, DeadLetterWatch.Tally tally, long applied) {
        DeadLetterReason reason = tally.mostCommon();
        String who =
                policyIds.contains(policy)
                        ? "policy " + policy
                        : DeadLetterWatch.NO_POLICY.equals(policy)
                                ? "records without a policy id"
                                : "policy " + policy + " (not one this learner learns)";
        return "WARNING: "
                + who
                + ": "
                + tally.total()
                + " of its last "
                + (tally.total() + applied)
                + " events went to the dead-letter topic "
                + config.get(LearnerOptions.DEAD_LETTER_TOPIC)
                + ", most for "
                + reason
                + ", e.g. \""
                + tally.detail(reason)
                + "\"";
    }

    private String line() {
        StringBuilder line = new StringBuilder(LocalTime.now().format(CLOCK));
        Long read = committedOffsets();
        if (read != null && readAtStart == null) {
            readAtStart = read;
        }
        line.append(" | read ")
                .append(read == null ? "?" : String.format("%,d", read - readAtStart));
        Long lag = lag(read);
        if (lag != null) {
            line.append(String.format(" (lag %,d)", lag));
        }
        long applied = 0;
        for (String policy : policyIds) {
            applied += snapshots.eventsApplied(policy) - appliedAtStart.get(policy);
        }
        line.append(String.format(" | applied %,d", applied));
        if (join != null) {
            line.append(" | joined ").append(joinCounts());
        }
        Map<String, DeadLetterWatch.Tally> all = deadLetters.total();
        long total = 0;
        for (DeadLetterWatch.Tally each : all.values()) {
            total += each.total();
        }
        line.append(String.format(" | dead letters %,d", total));
        if (total > 0) {
            line.append(" (").append(describe(all)).append(')');
        }
        for (String policy : policyIds) {
            line.append(" | ").append(policy);
            ParameterSnapshot snapshot = snapshots.snapshot(policy).orElse(null);
            RankerSnapshot ranker = snapshots.rankerSnapshot(policy).orElse(null);
            if (snapshot == null && ranker == null) {
                line.append(" no version yet");
                continue;
            }
            line.append(" v").append(snapshot != null ? snapshot.version() : ranker.version());
            ValidationStatistics validation =
                    (snapshot != null ? snapshot.statistics() : ranker.trainingStatistics())
                            .validation();
            if (validation.isPresent()) {
                line.append(
                        String.format(
                                " value %.4f +- %.4f (logged %.4f)",
                                validation.snips(),
                                Estimate.Z_95 * validation.snipsStandardError(),
                                validation.loggedMean()));
            }
        }
        return line.append(" | web UI ").append(webUiUrl).toString();
    }

    /** The join's counts since the job started, or {@code ?} before its metrics are served. */
    private String joinCounts() {
        try {
            return join.read()
                    .map(
                            counts ->
                                    String.format(
                                            "%,d (pending %,d, defaulted %,d, dropped %,d)",
                                            counts.joined(),
                                            counts.pending(),
                                            counts.defaulted(),
                                            counts.dropped()))
                    .orElse("?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static String describe(Map<String, DeadLetterWatch.Tally> byPolicy) {
        DeadLetterWatch.Tally all = DeadLetterWatch.Tally.sum(byPolicy.values());
        return all.describe();
    }

    /** The learner's committed offsets on the events topic, summed; null if unknown. */
    private Long committedOffsets() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(config.get(LearnerOptions.GROUP_ID))
                            .partitionsToOffsetAndMetadata()
                            .get(5, TimeUnit.SECONDS);
            long sum = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : offsets.entrySet()) {
                if (entry.getKey().topic().equals(config.get(LearnerOptions.EVENTS_TOPIC))
                        && entry.getValue() != null) {
                    sum += entry.getValue().offset();
                }
            }
            return sum;
        } catch (Exception e) {
            return null;
        }
    }

    /** End offsets of the events topic minus the committed ones; null if unknown. */
    private Long lag(Long committed) {
        if (committed == null) {
            return null;
        }
        try {
            String topic = config.get(LearnerOptions.EVENTS_TOPIC);
            List<TopicPartition> partitions =
                    admin
                            .describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(5, TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()
                            .stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
            long end = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo info :
                    admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).values()) {
                end += info.offset();
            }
            return Math.max(0, end - committed);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            deadLetters.close();
        } finally {
            try {
                snapshots.close();
            } finally {
                admin.close(Duration.ofSeconds(2));
            }
        }
    }
}
