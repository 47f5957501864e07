package org.flinkreinforce.cli.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The local Flink cluster a command runs a job on, set up to be safe and to leave nothing behind:
 * the directory of the run's files, where checkpoints go ({@code checkpoints}, kept or in the run
 * directory), the web UI's address, the checkpoint or savepoint the run resumes from, and the Flink
 * configuration of all that.
 *
 * <ul>
 *   <li>The web UI listens on one address and port (by default localhost:8081); it cannot upload or
 *       run jars, nor cancel jobs. A taken port fails at once with a message naming it.
 *   <li>Everything the cluster writes to disk (its working and temporary directories, the extracted
 *       RPC jar, temporary checkpoints) lies in one directory of the run, which {@link #close()}
 *       removes.
 *   <li>With a checkpoint directory, checkpoints outlive the run (retained on cancellation), and a
 *       new run resumes from the newest checkpoint or savepoint in it.
 * </ul>
 */
public record LocalCluster(
        Path runDirectory,
        Path checkpoints,
        boolean keepsCheckpoints,
        String webUiUrl,
        Optional<Path> resumedFrom,
        Configuration configuration)
        implements AutoCloseable {

    /** Where savepoints taken on stop go inside a checkpoint directory. */
    static final String SAVEPOINTS = "savepoints";

    /**
     * Sets up a cluster: its run directory, the web UI on {@code webUiAddress:webUiPort}, and
     * checkpoints in {@code checkpointDirectory} (kept, and resumed from) or in the run directory
     * (removed with it) when null.
     *
     * @throws PortTakenException if the web UI's port is taken
     */
    public static LocalCluster create(String webUiAddress, int webUiPort, Path checkpointDirectory)
            throws IOException {
        checkPortFree(webUiAddress, webUiPort);
        Path run = Files.createTempDirectory("reinforce-run-");
        boolean keep = checkpointDirectory != null;
        Path checkpoints = keep ? checkpointDirectory.toAbsolutePath() : run.resolve("checkpoints");
        Files.createDirectories(checkpoints);
        Path tmp = Files.createDirectories(run.resolve("tmp"));

        Configuration configuration = new Configuration();
        configuration.set(CoreOptions.TMP_DIRS, tmp.toString());
        configuration.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        configuration.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        configuration.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                checkpoints.resolve(SAVEPOINTS).toUri().toString());
        Path resume = null;
        if (keep) {
            configuration.set(
                    CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            resume = newestRestorePoint(checkpoints).orElse(null);
            if (resume != null) {
                configuration.set(StateRecoveryOptions.SAVEPOINT_PATH, resume.toUri().toString());
            }
        }
        configuration.set(RestOptions.BIND_ADDRESS, webUiAddress);
        configuration.set(RestOptions.ADDRESS, webUiAddress);
        configuration.set(RestOptions.BIND_PORT, Integer.toString(webUiPort));
        configuration.set(RestOptions.PORT, webUiPort);
        configuration.set(WebOptions.TMP_DIR, tmp.toString());
        configuration.set(WebOptions.UPLOAD_DIR, tmp.toString());
        configuration.set(WebOptions.SUBMIT_ENABLE, false);
        configuration.set(WebOptions.CANCEL_ENABLE, false);
        configuration.set(WebOptions.RESCALE_ENABLE, false);
        String host = webUiAddress.contains(":") ? "[" + webUiAddress + "]" : webUiAddress;
        return new LocalCluster(
                run,
                checkpoints,
                keep,
                "http://" + host + ":" + webUiPort,
                Optional.ofNullable(resume),
                configuration);
    }

    /** The environment of a local cluster with this configuration and the web UI. */
    public StreamExecutionEnvironment environment() {
        return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(configuration);
    }

    /** Where savepoints taken on stop go. */
    public Path savepoints() {
        return checkpoints.resolve(SAVEPOINTS);
    }

    /**
     * Removes the run directory, temporary checkpoints included; kept checkpoints stay. A cluster
     * still shutting down may write a last file meanwhile: up to 20 tries, 250 ms apart.
     */
    @Override
    public void close() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                Directories.delete(runDirectory);
                return;
            } catch (IOException e) {
                last = e;
                LockSupport.parkNanos(250_000_000L);
            }
        }
        throw last;
    }

    /**
     * The newest complete checkpoint or savepoint under {@code directory}: a {@code chk-N} or
     * {@code savepoint-*} directory with its {@code _metadata} (written last, so a checkpoint cut
     * short has none).
     */
    static Optional<Path> newestRestorePoint(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(directory, 4)) {
            return files.filter(path -> path.getFileName().toString().equals("_metadata"))
                    .max(Comparator.comparing(LocalCluster::modified))
                    .map(Path::getParent);
        }
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void checkPortFree(String address, int port) throws IOException {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        } catch (java.net.BindException e) {
            throw new PortTakenException(address, port);
        }
    }

    /** The web UI's port is in use. */
    public static final class PortTakenException extends IOException {
        public PortTakenException(String address, int port) {
            super(
                    "Port "
                            + port
                            + " on "
                            + address
                            + " for the web UI is taken (another learner, demo or Flink"
                            + " cluster?)");
        }
    }
}
