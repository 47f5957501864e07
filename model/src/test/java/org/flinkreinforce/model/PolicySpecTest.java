package org.flinkreinforce.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicySpecTest {

    @Test
    void shouldParseARecommenderAndANasControllerAndPrintThemBack() {
        PolicySpec recs = PolicySpec.parse("recs:32:10");
        assertThat(recs.id()).isEqualTo("recs");
        assertThat(recs.features()).isEqualTo(32);
        assertThat(recs.headCount()).isEqualTo(1);
        assertThat(recs.parameterCount()).isEqualTo(10 * 32 + 10);
        assertThat(recs.toString()).isEqualTo("recs:32:10");

        PolicySpec nas = PolicySpec.parse(" nas:0:6,6,4,4 ");
        assertThat(nas.heads()).containsExactly(6, 6, 4, 4);
        assertThat(nas.parameterCount()).isEqualTo(20);
        assertThat(nas.totalActions()).isEqualTo(20);
        assertThat(nas.maxActions()).isEqualTo(6);
        assertThat(PolicySpec.parse(nas.toString())).isEqualTo(nas);
    }

    @Test
    void shouldLayOutEachHeadsWeightsThenBiasesInOneVector() {
        PolicySpec spec = new PolicySpec("p", 3, 2, 4);
        assertThat(spec.weightOffset(0)).isEqualTo(0);
        assertThat(spec.biasOffset(0)).isEqualTo(6);
        assertThat(spec.weightOffset(1)).isEqualTo(8);
        assertThat(spec.biasOffset(1)).isEqualTo(20);
        assertThat(spec.parameterCount()).isEqualTo(24);
    }

    @Test
    void shouldRejectInvalidSpecsWithAFullSentence() {
        assertThatThrownBy(() -> PolicySpec.parse("recs:32"))
                .hasMessageContaining("expected ID:FEATURES:ACTIONS");
        assertThatThrownBy(() -> PolicySpec.parse("recs:x:10"))
                .hasMessageContaining("must be integers");
        assertThatThrownBy(() -> PolicySpec.parse("recs:-1:10"))
                .hasMessageContaining("Invalid feature dimension -1");
        assertThatThrownBy(() -> PolicySpec.parse("recs:4:10,1"))
                .hasMessageContaining("Invalid action count 1 for head 1");
        assertThatThrownBy(() -> PolicySpec.parse(" :4:10")).hasMessageContaining("policy id");
        assertThatThrownBy(() -> new PolicySpec("big", 1 << 20, 1 << 20))
                .hasMessageContaining("parameters");
    }

    @Test
    void shouldSayWhichSizeOfWhatDoesNotMatchThePolicy() {
        PolicySpec spec = new PolicySpec("recs", 2, 3);
        assertThatThrownBy(() -> new PolicyParameters(spec, new float[8], 0))
                .hasMessage("Policy recs needs 9 parameters but got 8.");
        SoftmaxPolicy policy = new SoftmaxPolicy(PolicyParameters.zeros(spec));
        assertThatThrownBy(() -> policy.probabilities(0, new float[3]))
                .hasMessage("Policy recs expects 2 features but got 3.");
        assertThatThrownBy(() -> policy.logProbability(new float[2], new int[] {0, 1}))
                .hasMessage("Policy recs expects one action per head (1) but got 2.");
    }
}
