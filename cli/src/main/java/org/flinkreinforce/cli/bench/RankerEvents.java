package org.flinkreinforce.cli.bench;

import java.util.ArrayList;
import java.util.List;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.formats.event.LoggedEvent;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.ranker.LoggedRanking;
import org.flinkreinforce.formats.ranker.RankingCodec;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.RankerSpec;

/**
 * The benchmark's events ({@link BanditEvents}) as the equivalent ranker events: the fixed
 * catalogue's A actions become A candidates, candidate k described by its id alone (the indicator
 * feature {@code id=k} of namespace {@value #CANDIDATE}), the context the dense shared namespace
 * {@value #SHARED}, crossed with the candidates ({@link #INTERACTIONS}, as VW's {@code -q}); the
 * same chosen index, reward, propensity, baseline key, event id and timestamp. A ranker learns the
 * same model from them as the softmax policy does: a weight per item (its id) and one per item and
 * context feature (the crosses), up to hash collisions.
 */
final class RankerEvents {

    /** The shared context's namespace: the event's features, as a dense array. */
    static final String SHARED = "context";

    /** The candidates' namespace: each candidate's id, its only feature. */
    static final String CANDIDATE = "item";

    /** The crosses of the ranker policy ({@code ranker.interactions}). */
    static final String INTERACTIONS = SHARED + ":" + CANDIDATE;

    private final List<Candidate> candidates;
    private final RankerSpec spec;

    /**
     * @param actions the fixed catalogue's actions: one candidate each, the same on every event
     * @param spec the ranker policy, whose seed binary records are hashed with
     */
    RankerEvents(int actions, RankerSpec spec) {
        List<Candidate> list = new ArrayList<>(actions);
        for (int k = 0; k < actions; k++) {
            list.add(
                    Candidate.of(
                            Features.builder()
                                    .category(CANDIDATE, "id", Integer.toString(k))
                                    .build()));
        }
        this.candidates = List.copyOf(list);
        this.spec = spec;
    }

    /** {@code event}, of one head, as a ranker event of {@link #spec}'s policy. */
    LoggedRanking ranking(LoggedEvent event) {
        if (event.actions().length != 1) {
            throw new IllegalArgumentException(
                    "A ranker decision is one choice; the event has "
                            + event.actions().length
                            + " heads.");
        }
        return new LoggedRanking(
                spec.id(),
                Features.builder().dense(SHARED, event.features()).build(),
                candidates,
                event.actions()[0],
                event.reward(),
                event.propensity(),
                event.policyVersion(),
                event.baselineKey(),
                event.eventId(),
                event.timestamp());
    }

    /** The record of {@code event} as a ranker event in {@code format}. */
    byte[] encode(LoggedEvent event, EventFormat format) {
        LoggedRanking ranking = ranking(event);
        return format == EventFormat.JSON
                ? RankingCodec.toJson(ranking)
                : RankingCodec.toBinary(ranking, spec);
    }
}
