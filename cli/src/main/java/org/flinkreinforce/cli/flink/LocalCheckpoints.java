package org.flinkreinforce.cli.flink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Checkpoints of a local Flink cluster in a directory. Without one, Flink keeps checkpoints in the
 * JobManager's memory, which refuses state above 5 MB: a learner with many baseline keys (or a
 * large policy) would fail every checkpoint and restart.
 */
public final class LocalCheckpoints {

    private LocalCheckpoints() {}

    /** Flink configuration that checkpoints to {@code directory}, or to a new temporary one. */
    public static Configuration in(Path directory) throws IOException {
        Path target =
                directory != null ? directory : Files.createTempDirectory("reinforce-checkpoints-");
        Files.createDirectories(target);
        Configuration configuration = new Configuration();
        configuration.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        configuration.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, target.toUri().toString());
        return configuration;
    }
}
