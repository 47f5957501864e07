package org.flinkreinforce.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.model.EstimatorKind;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.ranker.RankerLearner;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.flinkreinforce.model.util.SettingNames;

/**
 * The validated configuration of one learner job: the {@link LearnerOptions} plus the Kafka client
 * properties that pass through unchanged. A bad value fails here, at start-up, with {@code Invalid
 * value X for configuration K: reason}.
 */
public final class LearnerConfig {

    private final Configuration options;
    private final Properties kafkaProperties;
    private final Map<String, PolicySettings> policies;
    private final Map<String, RankerSettings> rankers;
    private final KernelChoice kernel;

    public LearnerConfig(Configuration options, Properties kafkaProperties) {
        this.options = new Configuration(options);
        this.kafkaProperties = new Properties();
        this.kafkaProperties.putAll(kafkaProperties);
        this.kernel =
                guard(
                        LearnerOptions.KERNEL,
                        () ->
                                SettingNames.parse(
                                        KernelChoice.class,
                                        options.get(LearnerOptions.KERNEL),
                                        "kernel"));
        List<String> specs = options.getOptional(LearnerOptions.POLICIES).orElse(List.of());
        Map<String, RankerSettings> rankerSettings = new LinkedHashMap<>();
        for (String text : RankerSettings.ids(options)) {
            RankerSettings ranker = RankerSettings.of(text, options);
            if (rankerSettings.put(ranker.spec().id(), ranker) != null) {
                throw invalid(
                        text,
                        LearnerOptions.RANKERS,
                        "ranker " + ranker.spec().id() + " is named twice");
            }
        }
        this.rankers = Map.copyOf(rankerSettings);
        if (specs.isEmpty() && rankers.isEmpty()) {
            throw new IllegalArgumentException(
                    "Missing value for configuration "
                            + LearnerOptions.POLICIES.key()
                            + ": name at least one policy, e.g. recs:32:10 (or a ranker in "
                            + LearnerOptions.RANKERS.key()
                            + ").");
        }
        Map<String, PolicySettings> parsed = new LinkedHashMap<>();
        for (String text : specs) {
            PolicySpec spec = guard(LearnerOptions.POLICIES, () -> PolicySpec.parse(text));
            if (parsed.put(spec.id(), PolicySettings.of(spec, options)) != null) {
                throw invalid(
                        text, LearnerOptions.POLICIES, "policy " + spec.id() + " is named twice");
            }
        }
        this.policies = Map.copyOf(parsed);
        for (String id : rankers.keySet()) {
            if (policies.containsKey(id)) {
                throw invalid(
                        id,
                        LearnerOptions.RANKERS,
                        "policy " + id + " is named in policies too: an id names one policy");
            }
        }
        long maxPolicyBytes = options.get(LearnerOptions.MAX_POLICY_BYTES);
        for (PolicySettings settings : parsed.values()) {
            checkMemory(settings, maxPolicyBytes);
        }
        for (RankerSettings settings : rankers.values()) {
            checkMemory(settings, maxPolicyBytes);
        }
        int maxEventBytes = options.get(LearnerOptions.MAX_EVENT_BYTES);
        if (maxEventBytes < 16) {
            throw invalid(maxEventBytes, LearnerOptions.MAX_EVENT_BYTES, "it must be at least 16");
        }
        int maxParallelism = options.get(LearnerOptions.MAX_PARALLELISM);
        if (maxParallelism < 1 || maxParallelism > 32768) {
            throw invalid(
                    maxParallelism, LearnerOptions.MAX_PARALLELISM, "it must be from 1 to 32768");
        }
        if (checkpointInterval().toMillis() < 10) {
            throw invalid(
                    checkpointInterval(),
                    LearnerOptions.CHECKPOINT_INTERVAL,
                    "it must be at least 10 ms");
        }
        Duration timeout = options.get(LearnerOptions.TRANSACTION_TIMEOUT);
        if (timeout.toMillis() < checkpointInterval().toMillis()) {
            throw invalid(
                    timeout,
                    LearnerOptions.TRANSACTION_TIMEOUT,
                    "it must be longer than the checkpoint interval");
        }
        if (options.get(LearnerOptions.JOIN_REWARDS)) {
            rewardJoin();
        }
    }

    public <T> T get(ConfigOption<T> option) {
        return options.get(option);
    }

    /**
     * {@code checkpoint.interval} as set; unset, 1 s, or {@link
     * LearnerOptions#JOIN_CHECKPOINT_INTERVAL} where the job joins rewards: every checkpoint writes
     * the join's whole state, and a joined decision waits its {@code reward.wait} anyway.
     */
    public Duration checkpointInterval() {
        return options.getOptional(LearnerOptions.CHECKPOINT_INTERVAL)
                .orElse(
                        options.get(LearnerOptions.JOIN_REWARDS)
                                ? LearnerOptions.JOIN_CHECKPOINT_INTERVAL
                                : LearnerOptions.CHECKPOINT_INTERVAL.defaultValue());
    }

    public Configuration options() {
        return new Configuration(options);
    }

    /** The Kafka client properties, without {@code bootstrap.servers} unless given there. */
    public Properties kafkaProperties() {
        Properties copy = new Properties();
        copy.putAll(kafkaProperties);
        return copy;
    }

    /** Kafka client properties including {@code bootstrap.servers}. */
    public Properties clientProperties() {
        Properties copy = kafkaProperties();
        copy.putIfAbsent("bootstrap.servers", options.get(LearnerOptions.BOOTSTRAP_SERVERS));
        return copy;
    }

    public String bootstrapServers() {
        return kafkaProperties.getProperty(
                "bootstrap.servers", options.get(LearnerOptions.BOOTSTRAP_SERVERS));
    }

    public Map<String, PolicySettings> policies() {
        return policies;
    }

    /** The ranker policies, by id. */
    public Map<String, RankerSettings> rankers() {
        return rankers;
    }

    /** The ranker policies' specs, by id. */
    public Map<String, RankerSpec> rankerSpecs() {
        Map<String, RankerSpec> specs = new LinkedHashMap<>();
        rankers.forEach((id, settings) -> specs.put(id, settings.spec()));
        return specs;
    }

    /**
     * The largest record of the ranker policies' snapshots ({@link
     * KafkaTopics#rankerSnapshotRecordBytes}); 0 for none.
     */
    public long rankerSnapshotBytes() {
        return rankerSnapshotBytes(rankers.values());
    }

    /** The largest record of {@code rankers}' snapshots; 0 for none. */
    static long rankerSnapshotBytes(Collection<RankerSettings> rankers) {
        long largest = 0;
        for (RankerSettings ranker : rankers) {
            largest = Math.max(largest, KafkaTopics.rankerSnapshotRecordBytes(ranker.spec()));
        }
        return largest;
    }

    public Map<String, PolicySpec> specs() {
        Map<String, PolicySpec> specs = new LinkedHashMap<>();
        policies.forEach((id, settings) -> specs.put(id, settings.spec()));
        return specs;
    }

    /** How decisions are joined with their rewards, where {@link LearnerOptions#JOIN_REWARDS}. */
    public RewardJoinSettings rewardJoin() {
        return guard(
                LearnerOptions.REWARD_WAIT,
                () ->
                        new RewardJoinSettings(
                                Map.of(),
                                options.get(LearnerOptions.REWARD_WAIT).toMillis(),
                                options.get(LearnerOptions.REWARD_EARLY_WINDOW).toMillis(),
                                SettingNames.parse(
                                        RewardAggregation.class,
                                        options.get(LearnerOptions.REWARD_AGGREGATION),
                                        LearnerOptions.REWARD_AGGREGATION.key()),
                                unrewarded(),
                                processingTime()));
    }

    private double unrewarded() {
        String mode = options.get(LearnerOptions.REWARD_UNREWARDED).trim();
        if (mode.equalsIgnoreCase("drop")) {
            return Double.NaN;
        }
        if (!mode.equalsIgnoreCase("default")) {
            throw invalid(mode, LearnerOptions.REWARD_UNREWARDED, "expected default or drop");
        }
        double value = options.get(LearnerOptions.REWARD_DEFAULT);
        if (!Double.isFinite(value)) {
            throw invalid(value, LearnerOptions.REWARD_DEFAULT, "it must be finite");
        }
        return value;
    }

    /** Whether the join runs in processing time ({@link LearnerOptions#REWARD_TIME}). */
    public boolean processingTime() {
        String time = options.get(LearnerOptions.REWARD_TIME).trim();
        if (!time.equalsIgnoreCase("event") && !time.equalsIgnoreCase("processing")) {
            throw invalid(time, LearnerOptions.REWARD_TIME, "expected event or processing");
        }
        return time.equalsIgnoreCase("processing");
    }

    public KernelChoice kernel() {
        return kernel;
    }

    /** Resolves policy definitions under these options, as the control topic delivers them. */
    public PolicyResolver resolver() {
        return new PolicyResolver(options, 0);
    }

    /**
     * Splits {@code key=value} pairs into learner options and Kafka client properties: keys that
     * are {@link LearnerOptions} or per-policy overrides become options, everything else passes to
     * the Kafka clients unchanged.
     */
    public static LearnerConfig fromMap(Map<String, String> settings) {
        return builder().settings(settings).build();
    }

    /** An empty configuration: every option at its default, no Kafka client property. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects learner options and Kafka client properties; a later value for a key replaces an
     * earlier one, whichever method set it. {@link #build()} validates them all at once.
     */
    public static final class Builder {

        private static final Set<String> KNOWN_KEYS = knownKeys();

        private final Configuration options = new Configuration();
        private final Properties kafka = new Properties();
        private final List<String> unknownPolicyKeys = new ArrayList<>();

        private Builder() {}

        public <T> Builder set(ConfigOption<T> option, T value) {
            options.set(option, value);
            return this;
        }

        /** Sets {@code option} from its text form, as a configuration file writes it. */
        public Builder setString(ConfigOption<?> option, String text) {
            options.setString(option.key(), text);
            return this;
        }

        /** The policies to learn ({@link LearnerOptions#POLICIES}). */
        public Builder policies(Collection<PolicySpec> specs) {
            List<String> texts = new ArrayList<>();
            specs.forEach(spec -> texts.add(spec.toString()));
            return set(LearnerOptions.POLICIES, texts);
        }

        /**
         * Kafka client properties, {@code bootstrap.servers} included. As in {@link
         * #settings(Map)}, a key that names a learner option sets that option.
         */
        public Builder kafka(Properties properties) {
            properties
                    .stringPropertyNames()
                    .forEach(name -> put(name, properties.getProperty(name)));
            return this;
        }

        /**
         * {@code key=value} settings in their text form: keys that are {@link LearnerOptions} or
         * per-policy overrides ({@code policy.<id>.<option>}) set options, everything else is a
         * Kafka client property.
         */
        public Builder settings(Map<String, String> settings) {
            settings.forEach(this::put);
            return this;
        }

        private void put(String key, String value) {
            if (KNOWN_KEYS.contains(key)) {
                options.setString(key, value);
            } else if (key.startsWith(LearnerOptions.POLICY_PREFIX)) {
                String rest = key.substring(LearnerOptions.POLICY_PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot < 0 || !KNOWN_KEYS.contains(rest.substring(dot + 1))) {
                    unknownPolicyKeys.add(key);
                }
                options.setString(key, value);
            } else {
                kafka.setProperty(key, value);
            }
        }

        /** The validated configuration; a bad value fails here. */
        public LearnerConfig build() {
            if (!unknownPolicyKeys.isEmpty()) {
                throw new IllegalArgumentException(
                        "Invalid configuration "
                                + unknownPolicyKeys
                                + ": a per-policy override is"
                                + " policy.<id>.<option> with one of the learner options.");
            }
            return new LearnerConfig(options, kafka);
        }

        private static Set<String> knownKeys() {
            Set<String> known = new HashSet<>();
            for (ConfigOption<?> option : LearnerOptions.all()) {
                known.add(option.key());
            }
            return Set.copyOf(known);
        }
    }

    /** Refuses a ranker whose learner would take more than {@code maxBytes} in a task. */
    static void checkMemory(RankerSettings settings, long maxBytes) {
        RankerSpec spec = settings.spec();
        long bytes =
                RankerLearner.workspaceBytes(
                        spec, settings.estimator() == EstimatorKind.DOUBLY_ROBUST);
        if (bytes > maxBytes) {
            throw invalid(
                    maxBytes,
                    LearnerOptions.MAX_POLICY_BYTES,
                    "ranker "
                            + spec.id()
                            + " (2^"
                            + spec.bits()
                            + " weights, "
                            + settings.estimator()
                            + ") takes about "
                            + (bytes >> 20)
                            + " MiB in a task; lower its bits or raise max-policy-bytes");
        }
    }

    /**
     * Fails where a policy's batch workspace would not fit a Java array, or the policy would take
     * more than {@code maxBytes} in a task ({@link #policyBytes}).
     */
    static void checkMemory(PolicySettings settings, long maxBytes) {
        PolicySpec spec = settings.spec();
        long actions = 0;
        for (int h = 0; h < spec.headCount(); h++) {
            actions = Math.max(actions, spec.actions(h));
        }
        if ((long) settings.batchSize() * actions > Integer.MAX_VALUE - 8) {
            throw invalid(
                    settings.batchSize(),
                    LearnerOptions.BATCH_SIZE,
                    "policy "
                            + spec.id()
                            + " would need "
                            + (long) settings.batchSize() * actions
                            + " probabilities per head in one array, more than Java allows");
        }
        long bytes = policyBytes(settings);
        if (bytes > maxBytes) {
            throw invalid(
                    maxBytes,
                    LearnerOptions.MAX_POLICY_BYTES,
                    "policy "
                            + spec.id()
                            + " ("
                            + spec
                            + ", batch.size "
                            + settings.batchSize()
                            + ") takes about "
                            + (bytes >> 20)
                            + " MiB in a task; lower its batch.size or raise max-policy-bytes");
        }
    }

    /**
     * About the memory a policy takes in a task: seven float vectors of its parameter count
     * (parameters, two optimizer moments, the published average, the reward model's weights and
     * squares, the gradient) and its batch workspace, {@code batch.size x (2 x actions + features)}
     * floats (probabilities and action values per action, the features).
     */
    static long policyBytes(PolicySettings settings) {
        PolicySpec spec = settings.spec();
        long actions = 0;
        for (int h = 0; h < spec.headCount(); h++) {
            actions += spec.actions(h);
        }
        long workspace = (long) settings.batchSize() * (2 * actions + spec.features());
        return 4 * (workspace + 7L * spec.parameterCount());
    }

    static IllegalArgumentException invalid(Object value, ConfigOption<?> option, String reason) {
        return new IllegalArgumentException(
                "Invalid value "
                        + value
                        + " for configuration "
                        + option.key()
                        + ": "
                        + reason
                        + ".");
    }

    /** Runs a model constructor and rewords its complaint as a configuration error. */
    static <T> T guard(ConfigOption<?> option, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains("for configuration")) {
                throw e;
            }
            throw new IllegalArgumentException(
                    "Invalid value for configuration "
                            + option.key()
                            + " (or a related"
                            + " option): "
                            + e.getMessage(),
                    e);
        }
    }
}
