package org.flinkreinforce.cli;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.flinkreinforce.cli.flink.LocalCluster;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerJob;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.model.PolicySpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Runs the learner in this JVM (a local Flink cluster) against an external Kafka. Its options are
 * the job's configuration one to one: each {@link LearnerOptions} key {@code a.b-c} is the flag
 * {@code --a-b-c}.
 *
 * <p>It checks the brokers first, prints a progress line every few seconds and warns when a
 * policy's events go to the dead-letter topic. Ctrl-C or SIGTERM stops the job with a final
 * savepoint and removes the files the run created; with {@code --checkpoint-dir} the next run
 * resumes from the newest checkpoint or savepoint there.
 */
@Command(
        name = "learn",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the learner against your Kafka until stopped (Ctrl-C or SIGTERM).",
            "Every learner option (see docs/configuration.md) is a flag: key a.b-c is"
                    + " --a-b-c. Topics that do not exist are created."
        })
public final class LearnCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Option(
            names = "--policy",
            paramLabel = "SPEC",
            converter = PolicySpecText.class,
            description =
                    "A policy ID:FEATURES:ACTIONS[,ACTIONS...], e.g. recs:32:10; repeatable. At"
                            + " least one, or a ranker policy (--rankers).")
    List<String> policies = new ArrayList<>();

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "A properties file of learner options and Kafka client properties; flags override it.")
    File config;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            description =
                    "Keep checkpoints here, and resume from the newest one (or the savepoint taken"
                            + " on stop) when started again (default: a temporary directory,"
                            + " removed on stop).")
    File checkpointDir;

    @Option(
            names = "--web-ui-port",
            defaultValue = "8081",
            description = "Port of Flink's web UI (default: ${DEFAULT-VALUE}).")
    int webUiPort;

    @Option(
            names = "--web-ui-address",
            defaultValue = "localhost",
            description =
                    "Address the web UI listens on (default: ${DEFAULT-VALUE}; see"
                            + " docs/operations.md before exposing it).")
    String webUiAddress;

    @Option(
            names = "--progress-interval",
            paramLabel = "DURATION",
            defaultValue = "5 s",
            description = "How often to print a progress line (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress lines; warnings and failures only.")
    boolean quiet;

    /** Adds one flag per learner option (except those declared above) to {@code learn}. */
    static void addLearnerOptions(CommandLine learn) {
        for (ConfigOption<?> option : LearnerOptions.all()) {
            if (option.equals(LearnerOptions.BOOTSTRAP_SERVERS)
                    || option.equals(LearnerOptions.POLICIES)) {
                continue;
            }
            learn.getCommandSpec()
                    .addOption(
                            OptionSpec.builder(flag(option))
                                    .paramLabel("VALUE")
                                    .type(String.class)
                                    .description(
                                            new HtmlFormatter().format(option.description())
                                                    + (option.hasDefaultValue()
                                                            ? " (default: "
                                                                    + defaultText(option)
                                                                    + ")"
                                                            : ""))
                                    .build());
        }
    }

    static String flag(ConfigOption<?> option) {
        return option.equals(LearnerOptions.POLICIES)
                ? "--policy"
                : "--" + option.key().replace('.', '-');
    }

    private static String defaultText(ConfigOption<?> option) {
        Object value = option.defaultValue();
        return value instanceof Duration duration ? Durations.format(duration) : value.toString();
    }

    @Override
    public Integer call() throws Exception {
        LearnerConfig learnerConfig = learnerConfig();
        // The flags' Kafka properties with the --config file's, as the job gets them.
        Properties client = kafka.connect(learnerConfig.clientProperties());
        LocalCluster cluster;
        try {
            cluster =
                    LocalCluster.create(
                            webUiAddress,
                            webUiPort,
                            checkpointDir == null ? null : checkpointDir.toPath());
        } catch (LocalCluster.PortTakenException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    e.getMessage() + ": choose another with --web-ui-port.",
                    e,
                    spec.findOption("--web-ui-port"),
                    Integer.toString(webUiPort));
        }
        try (cluster) {
            JobClient job = LearnerJob.kafka(learnerConfig).start(cluster.environment());
            StopSignal stop = StopSignal.install();
            printStart(learnerConfig, cluster);
            try (LearnProgress progress =
                    new LearnProgress(
                            client,
                            learnerConfig,
                            cluster.webUiUrl(),
                            job.getJobID(),
                            System.out)) {
                CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
                while (!result.isDone() && !stop.await(progressInterval)) {
                    progress.report(!quiet);
                }
                if (stop.requested() && !result.isDone()) {
                    stop(job, cluster);
                } else {
                    result.get(); // ended on its own: a failure surfaces here
                }
            }
        }
        System.out.println(
                cluster.keepsCheckpoints()
                        ? "Stopped. Checkpoints are kept in "
                                + cluster.checkpoints()
                                + "; the same --checkpoint-dir resumes from them."
                        : "Stopped. The checkpoints were temporary and are removed; with"
                                + " --checkpoint-dir DIR a restart resumes where it stopped.");
        return 0;
    }

    private void printStart(LearnerConfig learnerConfig, LocalCluster cluster) {
        List<PolicySpec> specs = new ArrayList<>(learnerConfig.specs().values());
        System.out.println(
                "Learning "
                        + specs
                        + " from "
                        + learnerConfig.get(LearnerOptions.EVENTS_TOPIC)
                        + ", publishing to "
                        + learnerConfig.get(LearnerOptions.PARAMETERS_TOPIC)
                        + ", dead letters to "
                        + learnerConfig.get(LearnerOptions.DEAD_LETTER_TOPIC)
                        + ".");
        System.out.println(
                "Web UI: "
                        + cluster.webUiUrl()
                        + (cluster.resumedFrom().isPresent()
                                ? ". Resumed from " + cluster.resumedFrom().get()
                                : "")
                        + ". Ctrl-C stops.");
        System.out.flush();
    }

    /**
     * Stops the job with a final savepoint (which also commits what the last checkpoint had not),
     * or cancels it if that fails: the next run then resumes from the last checkpoint.
     */
    private static void stop(JobClient job, LocalCluster cluster) throws InterruptedException {
        System.out.println("Stopping with a final savepoint ...");
        try {
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    cluster.savepoints().toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(60, TimeUnit.SECONDS);
            if (cluster.keepsCheckpoints()) {
                System.out.println("Savepoint: " + savepoint);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            System.out.println(
                    "The final savepoint failed ("
                            + Failures.describe(e)
                            + "); cancelling. The next run resumes from the last checkpoint.");
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException cancel) {
                System.out.println("Cancelling failed too: " + Failures.describe(cancel));
            }
        }
        try {
            job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // Cancelled or already reported: the job has ended either way.
        }
    }

    /** The learner's configuration from the file and the flags; a bad value names its flag. */
    private LearnerConfig learnerConfig() throws IOException {
        LearnerConfig.Builder builder =
                LearnerConfig.builder().settings(read(config)).kafka(kafka.clientProperties());
        for (ConfigOption<?> option : LearnerOptions.all()) {
            OptionSpec flag = spec.findOption(flag(option));
            if (flag != null
                    && flag.getValue() != null
                    && !option.equals(LearnerOptions.POLICIES)) {
                builder.setString(option, flag.getValue());
            }
        }
        if (!policies.isEmpty()) {
            builder.setString(LearnerOptions.POLICIES, String.join(";", policies));
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), withFlags(Failures.describe(e)), e);
        }
    }

    /**
     * {@code message} with each learner option's key, where the message names it as a
     * configuration, replaced by its flag: {@code configuration batch.size} becomes {@code
     * --batch-size}.
     */
    static String withFlags(String message) {
        String text = message;
        List<ConfigOption<?>> options = new ArrayList<>(LearnerOptions.all());
        options.sort(Comparator.comparingInt((ConfigOption<?> o) -> o.key().length()).reversed());
        for (ConfigOption<?> option : options) {
            String key = option.key();
            text =
                    text.replace("configuration " + key, flag(option))
                            .replace("key '" + key + "'", flag(option))
                            .replace("option '" + key + "'", flag(option));
        }
        return text;
    }

    private static Map<String, String> read(File file) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        if (file != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file.toPath())) {
                properties.load(reader);
            }
            properties
                    .stringPropertyNames()
                    .forEach(name -> settings.put(name, properties.getProperty(name)));
        }
        return settings;
    }

    /** Checks a {@code --policy} value when it is parsed, so that a bad one names the flag. */
    static final class PolicySpecText implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                PolicySpec.parse(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(Failures.oneLine(e.getMessage()));
            }
        }
    }
}
