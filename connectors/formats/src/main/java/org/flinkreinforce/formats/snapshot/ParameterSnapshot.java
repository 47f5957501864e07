package org.flinkreinforce.formats.snapshot;

import java.util.Arrays;
import java.util.Objects;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;

/**
 * A published version of a policy's parameters, with what it was trained on. The record key on the
 * parameters topic is the policy id; {@link SnapshotCodec} is the binary wire format.
 *
 * @param spec the policy's shape (id, features, heads)
 * @param version the parameter version, increasing by one per applied update, also across restarts
 * @param createdAtMillis when the learner published it
 * @param eventsApplied how many events the parameters have learned from, in all
 * @param updates how many optimizer steps were applied, in all
 * @param parameters the flat float32 parameter vector ({@link PolicySpec} layout)
 * @param statistics the latest training statistics
 * @param eventDigest the {@link EventDigest} of every event applied, in all
 */
public record ParameterSnapshot(
        PolicySpec spec,
        long version,
        long createdAtMillis,
        long eventsApplied,
        long updates,
        float[] parameters,
        TrainingStatistics statistics,
        long eventDigest) {

    public ParameterSnapshot {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(statistics, "statistics");
        spec.requireSize(
                parameters.length,
                spec.parameterCount(),
                "needs %d parameters, the snapshot has %d");
    }

    public String policyId() {
        return spec.id();
    }

    /** The parameters as the model's type (a copy). */
    public PolicyParameters toParameters() {
        return new PolicyParameters(spec, parameters.clone(), version);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ParameterSnapshot)) {
            return false;
        }
        ParameterSnapshot that = (ParameterSnapshot) o;
        return version == that.version
                && createdAtMillis == that.createdAtMillis
                && eventsApplied == that.eventsApplied
                && updates == that.updates
                && eventDigest == that.eventDigest
                && spec.equals(that.spec)
                && Arrays.equals(parameters, that.parameters)
                && statistics.equals(that.statistics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(spec, version, eventsApplied, eventDigest);
    }

    @Override
    public String toString() {
        return "ParameterSnapshot{"
                + spec
                + " v"
                + version
                + ", eventsApplied="
                + eventsApplied
                + ", updates="
                + updates
                + ", "
                + statistics
                + '}';
    }
}
