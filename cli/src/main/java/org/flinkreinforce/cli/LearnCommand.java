package org.flinkreinforce.cli;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinkreinforce.cli.flink.LocalCheckpoints;
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
 */
@Command(
        name = "learn",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the learner against your Kafka until stopped (Ctrl-C).",
            "Every learner option (see docs/configuration.md) is a flag: key a.b-c is"
                    + " --a-b-c. Topics that do not exist are created."
        })
public final class LearnCommand implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Option(
            names = "--policy",
            paramLabel = "SPEC",
            description = "A policy ID:FEATURES:ACTIONS[,ACTIONS...], e.g. recs:32:10; repeatable.")
    List<String> policies = new ArrayList<>();

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "A properties file of learner options and Kafka client properties; flags override it.")
    File config;

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
                                                                    + option.defaultValue()
                                                                    + ")"
                                                            : ""))
                                    .build());
        }
    }

    static String flag(ConfigOption<?> option) {
        return "--" + option.key().replace('.', '-');
    }

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            description =
                    "Where the local cluster writes checkpoints (default: a new temporary"
                            + " directory).")
    File checkpointDir;

    @Override
    public Integer call() throws Exception {
        LearnerConfig.Builder builder =
                LearnerConfig.builder().settings(read(config)).kafka(kafka.clientProperties());
        for (ConfigOption<?> option : LearnerOptions.all()) {
            OptionSpec flag = spec.findOption(flag(option));
            if (flag != null && flag.getValue() != null) {
                builder.setString(option, flag.getValue());
            }
        }
        if (!policies.isEmpty()) {
            builder.setString(LearnerOptions.POLICIES, String.join(";", policies));
        }
        LearnerConfig learnerConfig = builder.build();
        List<PolicySpec> specs = new ArrayList<>(learnerConfig.specs().values());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalCheckpoints.in(checkpointDir == null ? null : checkpointDir.toPath()));
        LearnerJob job = LearnerJob.kafka(learnerConfig);
        job.build(env);
        System.out.println(
                "Learning "
                        + specs
                        + " from "
                        + learnerConfig.get(LearnerOptions.EVENTS_TOPIC)
                        + ", publishing to "
                        + learnerConfig.get(LearnerOptions.PARAMETERS_TOPIC)
                        + ". Ctrl-C stops.");
        env.execute("flink-reinforce learner " + learnerConfig.policies().keySet());
        return 0;
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
}
