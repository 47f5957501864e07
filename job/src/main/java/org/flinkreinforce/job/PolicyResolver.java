package org.flinkreinforce.job;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

    private final Configuration options;
    private final long maxSnapshotBytes;

    /**
     * @param options the job's options
     * @param maxSnapshotBytes the largest snapshot record the parameters sink can write; 0 for no
     *     bound
     */
    public PolicyResolver(Configuration options, long maxSnapshotBytes) {
        this.options = new Configuration(options);
        this.maxSnapshotBytes = maxSnapshotBytes;
    }

    /** This resolver with the parameters sink's bound on a snapshot record. */
    public PolicyResolver withMaxSnapshotBytes(long bytes) {
        return new PolicyResolver(options, bytes);
    }

    /**
     * The settings of {@code definition}.
     *
     * @throws IllegalArgumentException naming the policy and what is wrong
     */
    public PolicySettings resolve(PolicyDefinition definition) {
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
        String prefix = LearnerOptions.POLICY_PREFIX + spec.id() + ".";
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
                            if (!PER_POLICY.contains(key)) {
                                throw new IllegalArgumentException(
                                        "Policy "
                                                + spec.id()
                                                + " sets "
                                                + key
                                                + ", which is not an option a policy sets for"
                                                + " itself (one of "
                                                + new TreeSet<>(PER_POLICY)
                                                + ").");
                            }
                            merged.put(prefix + key, value);
                        });
        PolicySettings settings = PolicySettings.of(spec, Configuration.fromMap(merged));
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
     * The definition of a configured policy: its spec and its {@code policy.<id>.*} overrides, as
     * the job's {@code policies} option gives them.
     */
    public PolicyDefinition configured(PolicySpec spec) {
        String prefix = LearnerOptions.POLICY_PREFIX + spec.id() + ".";
        Map<String, String> own = new TreeMap<>();
        options.toMap()
                .forEach(
                        (key, value) -> {
                            if (key.startsWith(prefix)) {
                                own.put(key.substring(prefix.length()), value);
                            }
                        });
        return new PolicyDefinition(
                spec.id(), spec.toString(), own, PolicyDefinition.Origin.CONFIGURATION, null);
    }
}
