package org.flinkreinforce.job;

import org.flinkreinforce.model.baseline.BaselineState;

/**
 * One baseline key's running baseline, with when it last changed (processing time), so keys not
 * seen for {@code baseline.key-ttl} can be forgotten. A Flink POJO.
 */
public class KeyedBaseline extends BaselineState {

    public long updatedAtMillis;

    public KeyedBaseline() {}
}
