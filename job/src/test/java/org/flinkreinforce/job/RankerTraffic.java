package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.ranker.LoggedRanking;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.job.testing.SharedKafka;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * A ranker policy ({@code shop}, 12 bits, {@code user:item}) learned beside the softmax policies of
 * an ITCase: its events on the events topic, half JSON and half binary, and the checks that its
 * snapshots applied each of them exactly once.
 */
final class RankerTraffic {

    static final String POLICY = "shop";

    static final RankerSpec SPEC =
            new RankerSpec(
                    POLICY,
                    12,
                    0,
                    Interaction.parseList("user:item"),
                    RankerSpec.DEFAULT_MAX_CANDIDATES,
                    RankerSpec.DEFAULT_MAX_FEATURES);

    private RankerTraffic() {}

    /** Adds the ranker to a learner's {@code settings}. */
    static Map<String, String> withRanker(Map<String, String> settings) {
        settings.put("rankers", POLICY + ":" + SPEC.bits());
        settings.put("ranker.interactions", "user:item");
        return settings;
    }

    /** Sends {@code count} ranker events to {@code prefix-events}, ids in {@code sent}. */
    static void send(String prefix, String idPrefix, int count, List<String> sent) {
        Random random = new Random(idPrefix.hashCode());
        try (EventLogger logger =
                new EventLogger(SharedKafka.broker().clientProperties(), prefix + "-events")) {
            for (int k = 0; k < count; k++) {
                int segment = random.nextInt(3);
                List<Candidate> candidates = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    candidates.add(
                            new Candidate(
                                    "item-" + c,
                                    Features.builder()
                                            .category("item", "category", "c" + random.nextInt(5))
                                            .build()));
                }
                int chosen = random.nextInt(candidates.size());
                String id = idPrefix + "-" + k;
                LoggedRanking ranking =
                        new LoggedRanking(
                                POLICY,
                                Features.builder()
                                        .category("user", "segment", "s" + segment)
                                        .build(),
                                candidates,
                                chosen,
                                chosen == segment ? 1 : 0,
                                1.0 / candidates.size(),
                                -1,
                                null,
                                id,
                                LoggedRanking.NO_TIMESTAMP);
                logger.sendRaw(
                        POLICY.getBytes(StandardCharsets.UTF_8),
                        k % 2 == 0
                                ? RankingCodec.toJson(ranking)
                                : RankingCodec.toBinary(ranking, SPEC));
                sent.add(id);
            }
        }
    }

    /** The newest ranker snapshot on {@code prefix-parameters}; null if none. */
    static RankerSnapshot last(String prefix) {
        List<RankerSnapshot> all = SharedKafka.rankerSnapshots(prefix + "-parameters");
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    static void awaitApplied(String prefix, long count) throws InterruptedException {
        SharedKafka.await(
                count + " ranker events applied",
                Duration.ofSeconds(60),
                () -> {
                    RankerSnapshot last = last(prefix);
                    return last != null && last.eventsApplied() >= count;
                });
    }

    /**
     * The ranker's snapshots on {@code prefix-parameters}: versions strictly increase, weights are
     * finite, and the newest applied exactly the events of {@code applied} (count and digest).
     */
    static void assertAppliedExactly(String prefix, List<String> applied) {
        List<RankerSnapshot> snapshots = SharedKafka.rankerSnapshots(prefix + "-parameters");
        assertThat(snapshots).isNotEmpty();
        long previous = 0;
        for (RankerSnapshot snapshot : snapshots) {
            assertThat(snapshot.version()).as("version after %d", previous).isGreaterThan(previous);
            previous = snapshot.version();
            for (float weight : snapshot.weights()) {
                assertThat(Float.isFinite(weight)).isTrue();
            }
        }
        RankerSnapshot last = snapshots.get(snapshots.size() - 1);
        assertThat(last.eventsApplied()).isEqualTo(applied.size());
        assertThat(last.eventDigest()).isEqualTo(EventDigest.of(applied));
    }
}
