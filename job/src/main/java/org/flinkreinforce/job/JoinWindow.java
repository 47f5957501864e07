package org.flinkreinforce.job;

/**
 * The window of one decision in the join: its time and the end of its wait, in the join's time
 * (event or processing). A Flink POJO in keyed state; it outlives the decision by one more wait, so
 * that a reward after the window closed is told apart from one whose decision never came.
 */
public class JoinWindow {

    public long start;
    public long end;

    public JoinWindow() {}

    JoinWindow(long start, long end) {
        this.start = start;
        this.end = end;
    }

    /** When the window's record is dropped: one wait after it closed. */
    long forgetAt() {
        return end + (end - start);
    }
}
