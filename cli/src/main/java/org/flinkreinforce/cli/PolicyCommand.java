package org.flinkreinforce.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.client.kafka.PolicyControlTopic;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.SnapshotFormatException;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.job.RankerSettings;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ranker.RankerSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reinforce policy}: the policies a running learner follows, on its control topic. Each
 * change is checked here first, as the learner will check it (spec, options, memory), and refused
 * in one line naming the policy where it does not pass; an accepted one is written to the control
 * topic, which the learner applies within seconds, without a restart.
 */
@Command(
        name = "policy",
        mixinStandardHelpOptions = true,
        description = "Lists, adds, changes, removes and rolls back the learner's policies.",
        subcommands = {
            PolicyCommand.ListPolicies.class,
            PolicyCommand.Add.class,
            PolicyCommand.Update.class,
            PolicyCommand.Remove.class,
            PolicyCommand.Rollback.class
        })
public final class PolicyCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The options every subcommand shares: the brokers and the learner's topics. */
    static final class Topics {
        @Mixin KafkaOptions kafka;

        @Option(
                names = "--control-topic",
                paramLabel = "TOPIC",
                description = "Default: ${DEFAULT-VALUE}.")
        String controlTopic = LearnerOptions.CONTROL_TOPIC.defaultValue();

        @Mixin ParametersTopic parameters;

        PolicyControlTopic.Contents read(Properties client) {
            return PolicyControlTopic.read(client, controlTopic, Duration.ofSeconds(30));
        }
    }

    /** What a policy decides among, as {@code --kind} names it. */
    enum Kind {
        softmax,
        ranker
    }

    /**
     * {@code text} as the spec of a policy of {@code kind}, checked: a softmax policy's {@code
     * ID:FEATURES:ACTIONS[,ACTIONS...]}, a ranker's {@code ID} or {@code ID:BITS}.
     */
    static String specText(PolicyDefinition.Kind kind, String text) {
        if (kind == PolicyDefinition.Kind.SOFTMAX) {
            return PolicySpec.parse(text).toString();
        }
        RankerSpec spec =
                LearnerConfig.fromMap(Map.of(LearnerOptions.RANKERS.key(), text))
                        .rankers()
                        .values()
                        .iterator()
                        .next()
                        .spec();
        return text.strip().contains(":") ? spec.id() + ":" + spec.bits() : spec.id();
    }

    /** The options of a definition: the learner's own per-policy options, as KEY=VALUE. */
    static final class Settings {
        @Option(
                names = "--set",
                paramLabel = "OPTION=VALUE",
                description =
                        "A learner option this policy sets for itself, e.g. learning-rate=0.05 or"
                                + " batch.size=64 (see docs/configuration.md); repeatable.")
        Map<String, String> set = new LinkedHashMap<>();

        @Option(
                names = "--learner-property",
                paramLabel = "KEY=VALUE",
                description =
                        "A job-wide option of the running learner that the check should use (e.g."
                                + " max-policy-bytes); repeatable.")
        Map<String, String> job = new LinkedHashMap<>();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the policies.")
    static final class ListPolicies implements Callable<Integer> {
        @Mixin Topics topics;

        @Override
        public Integer call() throws Exception {
            Properties client = topics.kafka.connect();
            PolicyControlTopic.Contents contents = topics.read(client);
            SnapshotReader.Latest latest =
                    SnapshotReader.readLatestOfEach(
                            client, topics.parameters.name, Duration.ofSeconds(30));
            Map<String, PolicyDefinition> defined = new TreeMap<>(contents.defined());
            if (defined.isEmpty()) {
                System.out.println("No policy on " + topics.controlTopic + ".");
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"POLICY", "KIND", "SPEC", "OPTIONS", "BY", "PUBLISHED"});
            defined.forEach(
                    (id, definition) -> {
                        boolean ranker = definition.kind() == PolicyDefinition.Kind.RANKER;
                        Long version =
                                ranker
                                        ? latest.rankers().containsKey(id)
                                                ? latest.rankers().get(id).version()
                                                : null
                                        : latest.policies().containsKey(id)
                                                ? latest.policies().get(id).version()
                                                : null;
                        rows.add(
                                new String[] {
                                    id,
                                    definition.kind().name().toLowerCase(java.util.Locale.ROOT),
                                    definition.spec(),
                                    definition.options().isEmpty()
                                            ? "-"
                                            : String.join(
                                                    ",",
                                                    definition.options().entrySet().stream()
                                                            .map(
                                                                    e ->
                                                                            e.getKey()
                                                                                    + "="
                                                                                    + e.getValue())
                                                            .toList()),
                                    definition.origin().name().toLowerCase(java.util.Locale.ROOT),
                                    version == null ? "-" : "v" + version
                                });
                    });
            System.out.print(table(rows));
            return 0;
        }
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Adds a policy; its events are learned from then on.")
    static final class Add implements Callable<Integer> {
        @Mixin Topics topics;
        @Mixin Settings settings;

        @Parameters(
                paramLabel = "SPEC",
                description =
                        "A softmax policy's ID:FEATURES:ACTIONS[,ACTIONS...], e.g. recs:32:10; a"
                                + " ranker's ID or ID:BITS (2^BITS hashed weights), e.g. shop:20.")
        String spec;

        @Option(
                names = "--kind",
                paramLabel = "KIND",
                description =
                        "softmax (a fixed catalogue of actions) or ranker (the candidates each"
                                + " decision brings, scored by hashed features). Default:"
                                + " ${DEFAULT-VALUE}.")
        Kind kind = Kind.softmax;

        @Override
        public Integer call() throws Exception {
            PolicyDefinition.Kind policyKind =
                    kind == Kind.ranker
                            ? PolicyDefinition.Kind.RANKER
                            : PolicyDefinition.Kind.SOFTMAX;
            String text = specText(policyKind, spec);
            String id = text.split(":", -1)[0];
            Properties client = topics.kafka.connect();
            if (topics.read(client).definition(id).isPresent()) {
                throw new IllegalArgumentException(
                        "Policy "
                                + id
                                + " exists on "
                                + topics.controlTopic
                                + "; change it with reinforce policy update.");
            }
            PolicyDefinition definition =
                    new PolicyDefinition(
                            id,
                            policyKind,
                            text,
                            settings.set,
                            PolicyDefinition.Origin.OPERATOR,
                            null);
            return write(topics, client, settings, definition, "added");
        }
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            description =
                    "Changes a policy's options or spec. A new spec restarts its parameters from"
                            + " zeros at its next version.")
    static final class Update extends OnePolicy {
        @Mixin Settings settings;

        @Option(
                names = "--spec",
                paramLabel = "SPEC",
                description =
                        "A new spec, with the same ID (a ranker's: ID:BITS, its new number of"
                                + " hashed weights).")
        String spec;

        @Option(
                names = "--unset",
                paramLabel = "OPTION",
                description = "An option the policy no longer sets for itself; repeatable.")
        List<String> unset = new ArrayList<>();

        @Override
        Integer change(Properties client, PolicyDefinition current) throws Exception {
            Map<String, String> options = new TreeMap<>(current.options());
            options.putAll(settings.set);
            unset.forEach(options::remove);
            PolicyDefinition definition =
                    new PolicyDefinition(
                            policyId,
                            current.kind(),
                            spec == null ? current.spec() : specText(current.kind(), spec),
                            options,
                            PolicyDefinition.Origin.OPERATOR,
                            current.rollback());
            if (definition.sameDefinition(current)) {
                System.out.println(
                        "Policy " + policyId + " is already defined so; nothing written.");
                return 0;
            }
            int written = write(topics, client, settings, definition, "changed");
            String seed = LearnerOptions.RANKER_SEED.key();
            if (current.kind() == PolicyDefinition.Kind.RANKER
                    && !Objects.equals(current.options().get(seed), options.get(seed))) {
                System.out.println(
                        "Note: a running learner refuses a ranker's new "
                                + seed
                                + " until it restarts (its sources hash the ranker's records with"
                                + " the seed they started with).");
            }
            return written;
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description =
                    "Removes a policy: its pending events go to the dead-letter topic"
                            + " (POLICY_REMOVED), later ones too (UNKNOWN_POLICY).")
    static final class Remove extends OnePolicy {
        @Override
        Integer change(Properties client, PolicyDefinition current) throws Exception {
            long offset = PolicyControlTopic.write(client, topics.controlTopic, policyId, null);
            System.out.println(
                    "Policy "
                            + policyId
                            + " removed ("
                            + topics.controlTopic
                            + " offset "
                            + offset
                            + ").");
            return 0;
        }
    }

    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description =
                    "Puts back the parameters of an earlier version, published as a new, higher"
                            + " version; learning continues from them.")
    static final class Rollback extends OnePolicy {

        @Option(
                names = "--to-version",
                required = true,
                paramLabel = "N",
                description = "The version whose parameters to put back.")
        long toVersion;

        @Option(
                names = "--wait",
                paramLabel = "DURATION",
                defaultValue = "60 s",
                description =
                        "How long to wait for the learner to publish the rolled-back version"
                                + " (default: ${DEFAULT-VALUE}; 0 s: do not wait).")
        Duration wait;

        @Override
        Integer change(Properties client, PolicyDefinition current) throws Exception {
            Duration timeout = Duration.ofSeconds(30);
            byte[] target =
                    SnapshotReader.readVersion(
                                    client, topics.parameters.name, policyId, toVersion, timeout)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "Version "
                                                            + toVersion
                                                            + " of policy "
                                                            + policyId
                                                            + " is not on "
                                                            + topics.parameters.name
                                                            + " (compaction keeps the newest"
                                                            + " snapshot per policy; set"
                                                            + " min.compaction.lag.ms on the"
                                                            + " topic to keep a window of"
                                                            + " versions)."));
            SnapshotReader.Latest latest =
                    SnapshotReader.readLatestOfEach(client, topics.parameters.name, timeout);
            long basedOn;
            float[] parameters;
            if (current.kind() == PolicyDefinition.Kind.RANKER) {
                RankerSnapshot snapshot = RankerSnapshotCodec.decode(target);
                parameters = snapshot.weights();
                // The newest version carries the spec the learner uses: the weights must mean
                // the same features.
                RankerSnapshot newest = latest.rankers().get(policyId);
                if (newest != null && !sameHashing(snapshot.spec(), newest.spec())) {
                    throw new IllegalArgumentException(
                            "Version "
                                    + toVersion
                                    + " of ranker "
                                    + policyId
                                    + " hashes its features otherwise (bits, seed or"
                                    + " interactions) than its newest version "
                                    + newest.version()
                                    + ": it cannot be put back.");
                }
                basedOn = newest == null ? toVersion : newest.version();
            } else {
                ParameterSnapshot snapshot = SnapshotCodec.decode(target);
                parameters = snapshot.parameters();
                if (!snapshot.spec().sameShape(PolicySpec.parse(current.spec()))) {
                    throw new IllegalArgumentException(
                            "Version "
                                    + toVersion
                                    + " of policy "
                                    + policyId
                                    + " is a "
                                    + snapshot.spec()
                                    + ", the policy now a "
                                    + current.spec()
                                    + ": it cannot be put back.");
                }
                ParameterSnapshot newest = latest.policies().get(policyId);
                basedOn = newest == null ? toVersion : newest.version();
            }
            PolicyDefinition definition =
                    current.withRollback(
                            new PolicyDefinition.Rollback(
                                    UUID.randomUUID().toString(), toVersion, basedOn, target));
            try (KafkaConsumer<byte[], byte[]> published =
                    new KafkaConsumer<>(
                            SnapshotReader.consumerProperties(client),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer())) {
                // Only what is published from here on: the rolled-back version among it.
                List<TopicPartition> partitions =
                        KafkaTopics.assignFromBeginning(published, topics.parameters.name, timeout);
                published.seekToEnd(partitions);
                partitions.forEach(published::position);
                return writeAndAwait(client, definition, published, basedOn, parameters);
            }
        }

        /**
         * Writes the rollback, then, unless told not to wait, waits for the version that carries
         * {@code parameters} above {@code basedOn} among what {@code published} reads.
         */
        private int writeAndAwait(
                Properties client,
                PolicyDefinition definition,
                KafkaConsumer<byte[], byte[]> published,
                long basedOn,
                float[] parameters)
                throws InterruptedException {
            long offset =
                    PolicyControlTopic.write(client, topics.controlTopic, policyId, definition);
            System.out.println(
                    "Rollback of policy "
                            + policyId
                            + " to version "
                            + toVersion
                            + " written ("
                            + topics.controlTopic
                            + " offset "
                            + offset
                            + ").");
            if (wait.isZero()) {
                return 0;
            }
            OptionalLong version = awaitRolledBack(published, basedOn, parameters);
            if (version.isEmpty()) {
                System.err.println(
                        "reinforce policy rollback: no learner published it within "
                                + Durations.format(wait)
                                + "; a learner that starts later applies it.");
                return 1;
            }
            System.out.println(
                    "Published as version " + version.getAsLong() + " of " + policyId + ".");
            return 0;
        }

        /**
         * The version of the policy above {@code basedOn} whose parameters are {@code parameters}
         * (the learner may publish others around it, learning on), as {@code published} reads it
         * within the wait.
         */
        private OptionalLong awaitRolledBack(
                KafkaConsumer<byte[], byte[]> published, long basedOn, float[] parameters) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record :
                        published.poll(Duration.ofMillis(500))) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        SnapshotReader.Published snapshot = SnapshotReader.identify(record.value());
                        if (snapshot.policyId().equals(policyId)
                                && snapshot.version() > basedOn
                                && Arrays.equals(snapshot.parameters(), parameters)) {
                            return OptionalLong.of(snapshot.version());
                        }
                    } catch (SnapshotFormatException e) {
                        // Not a snapshot this build reads: not the one awaited.
                    }
                }
            }
            return OptionalLong.empty();
        }

        private static boolean sameHashing(RankerSpec a, RankerSpec b) {
            return a.bits() == b.bits()
                    && a.seed() == b.seed()
                    && a.interactions().equals(b.interactions());
        }
    }

    /** A subcommand that changes one policy the control topic defines. */
    abstract static class OnePolicy implements Callable<Integer> {
        @Mixin Topics topics;

        @Parameters(paramLabel = "ID", description = "The policy.")
        String policyId;

        @Override
        public Integer call() throws Exception {
            Properties client = topics.kafka.connect();
            PolicyDefinition current =
                    topics.read(client)
                            .definition(policyId)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "No policy "
                                                            + policyId
                                                            + " on "
                                                            + topics.controlTopic
                                                            + "; add it with reinforce policy"
                                                            + " add."));
            return change(client, current);
        }

        /** Changes the policy, defined as {@code current}; the exit code. */
        abstract Integer change(Properties client, PolicyDefinition current) throws Exception;
    }

    /**
     * Checks {@code definition} as the learner will and writes it; makes the parameters topic take
     * its snapshots.
     */
    private static int write(
            Topics topics,
            Properties client,
            Settings settings,
            PolicyDefinition definition,
            String done)
            throws InterruptedException {
        Map<String, String> job = new LinkedHashMap<>(settings.job);
        PolicyControlTopic.ensure(client, topics.controlTopic);
        if (definition.kind() == PolicyDefinition.Kind.RANKER) {
            job.put(LearnerOptions.RANKERS.key(), definition.spec());
            RankerSettings ranker = LearnerConfig.fromMap(job).resolver().resolveRanker(definition);
            KafkaTopics.fitParametersTopic(
                    client,
                    topics.parameters.name,
                    List.of(),
                    KafkaTopics.rankerSnapshotRecordBytes(ranker.spec()));
        } else {
            job.put(LearnerOptions.POLICIES.key(), definition.spec());
            LearnerConfig.fromMap(job).resolver().resolve(definition);
            KafkaTopics.fitParametersTopic(
                    client, topics.parameters.name, List.of(PolicySpec.parse(definition.spec())));
        }
        long offset =
                PolicyControlTopic.write(
                        client, topics.controlTopic, definition.policyId(), definition);
        System.out.println(
                "Policy "
                        + definition.policyId()
                        + " "
                        + done
                        + ": "
                        + definition.spec()
                        + (definition.options().isEmpty() ? "" : " " + definition.options())
                        + " ("
                        + topics.controlTopic
                        + " offset "
                        + offset
                        + "). A running learner applies it within seconds.");
        return 0;
    }

    /** {@code rows} as left-aligned columns two spaces apart. */
    static String table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                text.append(
                        c == row.length - 1
                                ? row[c]
                                : String.format("%-" + widths[c] + "s  ", row[c]));
            }
            text.append('\n');
        }
        return text.toString();
    }
}
