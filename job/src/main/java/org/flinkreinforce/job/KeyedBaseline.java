package org.flinkreinforce.job;

import org.flinkreinforce.model.baseline.BaselineState;

/**
 * One baseline key's running baseline, with when it last changed (processing time), so keys not
 * seen for {@code baseline.key-ttl} can be forgotten, and the kind of baseline it was kept as, so
 * that a restore with another kind restarts it rather than reading one kind's numbers as another's.
 * A Flink POJO.
 */
public class KeyedBaseline extends BaselineState {

    /** When the baseline last changed; 0 where state of the first release did not record it. */
    public long updatedAtMillis;

    /** The {@code BaselineKind} name it was kept as; null in state of the first release. */
    public String kind;

    public KeyedBaseline() {}
}
