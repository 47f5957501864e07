package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerPolicy;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;

class FeatureNameTest {

    private static final RankerSpec SPEC =
            new RankerSpec("shop", 16, 42, Interaction.parseList("user:item"), 8, 8);

    /**
     * A named feature's index is one the policy scores with: the candidate's own features and their
     * crosses with the shared ones are in its {@code phi}.
     */
    @Test
    void shouldIndexTheWeightsThePolicyScoresWith() {
        FeatureHasher hasher = new FeatureHasher(SPEC.seed());
        HashedFeatures shared =
                hasher.hash(
                        Features.builder()
                                .category("user", "segment", "s1")
                                .dense("user", new float[] {0.5f, 2f})
                                .build(),
                        new HashedFeatures());
        HashedFeatures candidate =
                hasher.hash(
                        Features.builder()
                                .category("item", "category", "shoes")
                                .number("item", "price", 9.5)
                                .build(),
                        new HashedFeatures());
        RankerPolicy policy = new RankerPolicy(SPEC, new float[SPEC.weightCount()]);
        policy.evaluate(shared, new HashedFeatures[] {candidate}, 1);
        List<Integer> phi = new ArrayList<>();
        for (int j = policy.phiStart(0); j < policy.phiEnd(0); j++) {
            phi.add(policy.phiIndex(j));
        }
        assertThat(phi)
                .contains(
                        index("item:category=shoes"),
                        index("item:price"),
                        index("user:segment=s1*item:category=shoes"),
                        index("user:[1]*item:price"));
        // A shared feature alone does not tell the candidates apart: the policy has no weight of
        // it.
        assertThat(phi).doesNotContain(index("user:segment=s1"));
    }

    @Test
    void shouldRefuseANameItCannotRead() {
        for (String bad : new String[] {"segment=s1", "user:", ":x", "user:[one]"}) {
            assertThatThrownBy(() -> index(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Invalid feature");
        }
    }

    private static int index(String name) {
        return new FeatureName(name).index(SPEC);
    }
}
