package org.flinkreinforce.job;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.flinkreinforce.client.kafka.KafkaTopics;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.flinkreinforce.model.PolicySpec;

/**
 * Turns a policy's definition into its settings under the job's options (its own options override
 * the job's), checked as a configured policy is checked at start: its spec, its options, its memory
 * ({@code max-policy-bytes}) and, where the job's parameters sink bounds it, its snapshot size. The
 * operators resolve the definitions the control topic delivers while the job runs, so this travels
 * with them.
 */
public final class PolicyResolver implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Set<String> PER_POLICY =
            LearnerOptions.perPolicy().stream()
                    .map(ConfigOption::key)
                    .collect(Collectors.toUnmodifiableSet());

    private static final Set<String> PER_RANKER =
            LearnerOptions.perRanker().stream()
                    .map(ConfigOption::key)
                    .collect(Collectors.toUnmodifiableSet());

    private final Configuration options;
    private final long maxSnapshotBytes;

    /**
     * The seed each ranker's JSON records are hashed with by the job's sources, which read them
     * before they reach the ranker's learner; a ranker not named here is read by its learner.
     */
    private final Map<String, Integer> sourceSeeds;

    /**
     * @param options the job's options
     * @param maxSnapshotBytes the largest snapshot record the parameters sink can write; 0 for no
     *     bound
     */
    public PolicyResolver(Configuration options, long maxSnapshotBytes) {
        this(options, maxSnapshotBytes, Map.of());
    }

    private PolicyResolver(
            Configuration options, long maxSnapshotBytes, Map<String, Integer> sourceSeeds) {
        this.options = new Configuration(options);
        this.maxSnapshotBytes = maxSnapshotBytes;
        this.sourceSeeds = Map.copyOf(sourceSeeds);
    }

    /** This resolver with the parameters sink's bound on a snapshot record. */
    public PolicyResolver withMaxSnapshotBytes(long bytes) {
        return new PolicyResolver(options, bytes, sourceSeeds);
    }

    /**
     * This resolver refusing a ranker definition whose seed is not the one the job's sources hash
     * that ranker's JSON records with ({@code seeds}, by ranker id).
     */
    public PolicyResolver withSourceSeeds(Map<String, Integer> seeds) {
        return new PolicyResolver(options, maxSnapshotBytes, seeds);
    }

    /**
     * The settings of {@code definition}.
     *
     * @throws IllegalArgumentException naming the policy and what is wrong
     */
    public PolicySettings resolve(PolicyDefinition definition) {
        if (definition.kind() != PolicyDefinition.Kind.SOFTMAX) {
            throw new IllegalArgumentException(
                    "Policy " + definition.policyId() + " is a ranker, not a softmax policy.");
        }
        PolicySpec spec =
                LearnerConfig.guard(
                        LearnerOptions.POLICIES, () -> PolicySpec.parse(definition.spec()));
        if (!spec.id().equals(definition.policyId())) {
            throw new IllegalArgumentException(
                    "The spec "
                            + definition.spec()
                            + " names policy "
                            + spec.id()
                            + ", not "
                            + definition.policyId()
                            + ".");
        }
        PolicySettings settings =
                PolicySettings.of(spec, merged(definition, PER_POLICY, "Policy ", "a policy"));
        LearnerConfig.checkMemory(settings, options.get(LearnerOptions.MAX_POLICY_BYTES));
        long snapshotBytes = KafkaTopics.snapshotRecordBytes(List.of(spec));
        if (maxSnapshotBytes > 0 && snapshotBytes > maxSnapshotBytes) {
            throw new IllegalArgumentException(
                    "Policy "
                            + spec.id()
                            + " ("
                            + spec
                            + ") publishes snapshots of "
                            + snapshotBytes
                            + " bytes, more than the "
                            + maxSnapshotBytes
                            + " the running job's parameters sink was started with; restart the"
                            + " job with the policy in its policies option, or a larger"
                            + " max.request.size.");
        }
        return settings;
    }

    /**
     * The settings of ranker {@code definition}, checked as a configured ranker is (its spec, its
     * options, {@code max-policy-bytes}, the parameters sink's bound), and against the seed the
     * job's sources hash its records with.
     *
     * @throws IllegalArgumentException naming the policy and what is wrong
     */
    public RankerSettings resolveRanker(PolicyDefinition definition) {
        if (definition.kind() != PolicyDefinition.Kind.RANKER) {
            throw new IllegalArgumentException(
                    "Policy " + definition.policyId() + " is a softmax policy, not a ranker.");
        }
        String id = definition.policyId();
        RankerSettings settings =
                RankerSettings.of(
                        definition.spec(), merged(definition, PER_RANKER, "Ranker ", "a ranker"));
        if (!settings.spec().id().equals(id)) {
            throw new IllegalArgumentException(
                    "The spec "
                            + definition.spec()
                            + " names ranker "
                            + settings.spec().id()
                            + ", not "
                            + id
                            + ".");
        }
        LearnerConfig.checkMemory(settings, options.get(LearnerOptions.MAX_POLICY_BYTES));
        long snapshotBytes = KafkaTopics.rankerSnapshotRecordBytes(settings.spec());
        if (maxSnapshotBytes > 0 && snapshotBytes > maxSnapshotBytes) {
            throw new IllegalArgumentException(
                    "Ranker "
                            + id
                            + " (2^"
                            + settings.spec().bits()
                            + " weights) publishes snapshots of up to "
                            + snapshotBytes
                            + " bytes, more than the "
                            + maxSnapshotBytes
                            + " the running job's parameters sink was started with; restart the"
                            + " job with the ranker defined, or a larger max.request.size.");
        }
        Integer sourceSeed = sourceSeeds.get(id);
        if (sourceSeed != null && sourceSeed != settings.spec().seed()) {
            throw new IllegalArgumentException(
                    "Ranker "
                            + id
                            + " would hash with seed "
                            + settings.spec().seed()
                            + ", but the running job's sources hash its records with seed "
                            + sourceSeed
                            + "; restart the job to change a ranker's seed.");
        }
        return settings;
    }

    /**
     * The job's options with {@code definition}'s own as its {@code policy.<id>.*} overrides (and
     * none of the job's); refuses an option not in {@code allowed}.
     */
    private Configuration merged(
            PolicyDefinition definition, Set<String> allowed, String noun, String kind) {
        String prefix = LearnerOptions.POLICY_PREFIX + definition.policyId() + ".";
        Map<String, String> merged = new HashMap<>();
        options.toMap()
                .forEach(
                        (key, value) -> {
                            if (!key.startsWith(prefix)) {
                                merged.put(key, value);
                            }
                        });
        definition
                .options()
                .forEach(
                        (key, value) -> {
                            if (!allowed.contains(key)) {
                                throw new IllegalArgumentException(
                                        noun
                                                + definition.policyId()
                                                + " sets "
                                                + key
                                                + ", which is not an option "
                                                + kind
                                                + " sets for itself (one of "
                                                + new TreeSet<>(allowed)
                                                + ").");
                            }
                            merged.put(prefix + key, value);
                        });
        return Configuration.fromMap(merged);
    }

    /** How long the join holds the decisions of the policy {@code definition} defines. */
    public long rewardWaitMillis(PolicyDefinition definition) {
        return definition.kind() == PolicyDefinition.Kind.RANKER
                ? resolveRanker(definition).rewardWaitMillis()
                : resolve(definition).rewardWaitMillis();
    }

    /**
     * The definition of a configured ranker ({@code text}, an entry of the {@code rankers} option):
     * its {@code policy.<id>.*} overrides among the options a ranker sets for itself.
     */
    public PolicyDefinition configuredRanker(String text, RankerSettings settings) {
        String id = settings.spec().id();
        return new PolicyDefinition(
                id,
                PolicyDefinition.Kind.RANKER,
                text.strip(),
                own(id, PER_RANKER::contains),
                PolicyDefinition.Origin.CONFIGURATION,
                null);
    }

    /**
     * The definition of a configured policy: its spec and its {@code policy.<id>.*} overrides, as
     * the job's {@code policies} option gives them.
     */
    public PolicyDefinition configured(PolicySpec spec) {
        return new PolicyDefinition(
                spec.id(),
                spec.toString(),
                own(spec.id(), option -> true),
                PolicyDefinition.Origin.CONFIGURATION,
                null);
    }

    /** The job's {@code policy.<id>.*} overrides, by option, of the options {@code kept}. */
    private Map<String, String> own(String id, Predicate<String> kept) {
        String prefix = LearnerOptions.POLICY_PREFIX + id + ".";
        Map<String, String> own = new TreeMap<>();
        options.toMap()
                .forEach(
                        (key, value) -> {
                            if (key.startsWith(prefix)
                                    && kept.test(key.substring(prefix.length()))) {
                                own.put(key.substring(prefix.length()), value);
                            }
                        });
        return own;
    }
}
