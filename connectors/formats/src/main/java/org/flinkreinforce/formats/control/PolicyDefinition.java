package org.flinkreinforce.formats.control;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One policy as the policy control topic defines it: its kind, its spec (a softmax policy's {@code
 * id:features:actions}, as the {@code policies} option writes it; a ranker's {@code id} or {@code
 * id:bits}, as the {@code rankers} option writes it), its own learner options (the keys of {@code
 * policy.<id>.<option>}, e.g. {@code learning-rate} or {@code ranker.interactions}), who wrote it,
 * and, once a rollback was asked for, that rollback. A removed policy has no definition: its record
 * is a tombstone.
 *
 * @param kind a softmax policy over a fixed catalogue, or a ranker of the candidates each decision
 *     brings
 * @param origin {@link Origin#CONFIGURATION} when the job's {@code policies} option wrote it, else
 *     {@link Origin#OPERATOR} ({@code reinforce policy})
 * @param rollback the newest rollback asked for, or {@code null}
 */
public record PolicyDefinition(
        String policyId,
        Kind kind,
        String spec,
        Map<String, String> options,
        Origin origin,
        Rollback rollback) {

    public PolicyDefinition {
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(origin, "origin");
        options = new TreeMap<>(Objects.requireNonNull(options, "options"));
    }

    /** A softmax policy's definition. */
    public PolicyDefinition(
            String policyId,
            String spec,
            Map<String, String> options,
            Origin origin,
            Rollback rollback) {
        this(policyId, Kind.SOFTMAX, spec, options, origin, rollback);
    }

    /** This definition with {@code rollback}. */
    public PolicyDefinition withRollback(Rollback rollback) {
        return new PolicyDefinition(policyId, kind, spec, options, origin, rollback);
    }

    /** Whether {@code other} defines the same policy: kind, spec and options, whoever wrote it. */
    public boolean sameDefinition(PolicyDefinition other) {
        return other != null
                && policyId.equals(other.policyId)
                && kind == other.kind
                && spec.equals(other.spec)
                && options.equals(other.options);
    }

    /** What a policy decides among. */
    public enum Kind {
        /** A softmax over a fixed catalogue of actions, per head ({@code id:features:actions}). */
        SOFTMAX,
        /** A softmax over the candidates each decision brings, scored by hashed features. */
        RANKER
    }

    /** Who wrote a definition. */
    public enum Origin {
        /** The job's {@code policies} option, at the job's start. */
        CONFIGURATION,
        /** An operator, with {@code reinforce policy add|update|rollback}. */
        OPERATOR
    }

    /**
     * A request to put back the parameters of version {@code toVersion}, published as a new version
     * above every version issued so far.
     *
     * @param id unique per request: a learner applies each rollback once
     * @param basedOnVersion the newest version published when it was asked for; a learner whose
     *     policy has no state yet applies it only while its version is not above this one
     * @param snapshot version {@code toVersion}'s snapshot as the parameters topic holds it
     */
    public record Rollback(String id, long toVersion, long basedOnVersion, byte[] snapshot)
            implements Serializable {

        public Rollback {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(snapshot, "snapshot");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rollback that && id.equals(that.id);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }

        @Override
        public String toString() {
            return "Rollback{" + id + ", to version " + toVersion + '}';
        }
    }
}
