package org.flinkreinforce.formats.control;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One policy as the policy control topic defines it: its spec ({@code id:features:actions}, as the
 * {@code policies} option writes it), its own learner options (the keys of {@code
 * policy.<id>.<option>}, e.g. {@code learning-rate}), who wrote it, and, once a rollback was asked
 * for, that rollback. A removed policy has no definition: its record is a tombstone.
 *
 * @param origin {@link Origin#CONFIGURATION} when the job's {@code policies} option wrote it, else
 *     {@link Origin#OPERATOR} ({@code reinforce policy})
 * @param rollback the newest rollback asked for, or {@code null}
 */
public record PolicyDefinition(
        String policyId,
        String spec,
        Map<String, String> options,
        Origin origin,
        Rollback rollback) {

    public PolicyDefinition {
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(origin, "origin");
        options = new TreeMap<>(Objects.requireNonNull(options, "options"));
    }

    /** This definition with {@code rollback}. */
    public PolicyDefinition withRollback(Rollback rollback) {
        return new PolicyDefinition(policyId, spec, options, origin, rollback);
    }

    /** Whether {@code other} defines the same policy: spec and options, whoever wrote it. */
    public boolean sameDefinition(PolicyDefinition other) {
        return other != null
                && policyId.equals(other.policyId)
                && spec.equals(other.spec)
                && options.equals(other.options);
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
