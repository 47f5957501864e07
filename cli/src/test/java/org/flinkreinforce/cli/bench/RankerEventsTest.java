package org.flinkreinforce.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.EventRejection;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.ranker.RankedDecision;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ranker events of the benchmark decode, as the learner reads them, to the very decisions of
 * the softmax events they stand for: the context as the shared features, one candidate per action
 * described by its id alone, the same choice, reward and propensity; JSON and binary alike.
 */
class RankerEventsTest {

    private static final PolicySpec SOFTMAX = new PolicySpec(Benchmark.POLICY_ID, 32, 10);
    private static final RankerSpec RANKER =
            new RankerSpec(
                    Benchmark.POLICY_ID,
                    18,
                    7,
                    Interaction.parseList(RankerEvents.INTERACTIONS),
                    64,
                    64);
    private static final int EVENTS = 200;

    @ParameterizedTest
    @EnumSource(EventFormat.class)
    void shouldDecodeToTheSoftmaxEventsDecisionWithACandidatePerAction(EventFormat format)
            throws EventRejection {
        BanditEvents bandit = new BanditEvents(SOFTMAX, 3, "run-", 0);
        RankerEvents rankings = new RankerEvents(SOFTMAX.actions(0), RANKER);
        FeatureHasher hasher = new FeatureHasher(RANKER.seed());
        int context = hasher.namespace(RankerEvents.SHARED);
        int item = hasher.namespace(RankerEvents.CANDIDATE);
        for (int k = 0; k < EVENTS; k++) {
            LoggedEvent event = bandit.next(1_764_201_600_000L + k);
            RankedDecision decision = decode(rankings.encode(event, format));

            assertThat(decision.shared().namespaceCount()).isEqualTo(1);
            assertThat(decision.shared().namespaceHash(0)).isEqualTo(context);
            assertThat(decision.shared().featureCount()).isEqualTo(SOFTMAX.features());
            for (int i = 0; i < SOFTMAX.features(); i++) {
                assertThat(decision.shared().featureHash(i))
                        .isEqualTo(FeatureHasher.indexed(context, i));
                assertThat(decision.shared().featureValue(i)).isEqualTo(event.features()[i]);
            }
            assertThat(decision.candidates()).hasSize(SOFTMAX.actions(0));
            for (int c = 0; c < decision.candidates().length; c++) {
                HashedFeatures candidate = decision.candidates()[c];
                assertThat(candidate.namespaceCount()).isEqualTo(1);
                assertThat(candidate.namespaceHash(0)).isEqualTo(item);
                assertThat(candidate.featureCount()).isEqualTo(1);
                assertThat(candidate.featureHash(0))
                        .isEqualTo(FeatureHasher.categorical(item, "id", Integer.toString(c)));
                assertThat(candidate.featureValue(0)).isEqualTo(1f);
            }
            assertThat(decision.chosen()).isEqualTo(event.actions()[0]);
            assertThat(decision.reward()).isEqualTo(event.reward());
            assertThat(decision.propensity()).isEqualTo(event.propensity());
            assertThat(decision.eventId()).isEqualTo(event.eventId());
            assertThat(decision.timestamp()).isEqualTo(event.timestamp());
        }
    }

    @Test
    void shouldRefuseAnEventOfSeveralHeads() {
        LoggedEvent twoHeads =
                new LoggedEvent(
                        Benchmark.POLICY_ID,
                        new float[32],
                        new int[] {1, 2},
                        1.0,
                        0.01,
                        0,
                        null,
                        "e",
                        0);
        RankerEvents rankings = new RankerEvents(10, RANKER);
        assertThatThrownBy(() -> rankings.ranking(twoHeads))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 heads");
    }

    private static RankedDecision decode(byte[] value) throws EventRejection {
        return RankingCodec.decode(value, Map.of(RANKER.id(), RANKER), false);
    }
}
