package org.flinkreinforce.formats.snapshot;

/** Bytes that are not a valid parameter snapshot, with the reason. */
public class SnapshotFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public SnapshotFormatException(String message) {
        super(message);
    }
}
