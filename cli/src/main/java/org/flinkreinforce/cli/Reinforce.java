package org.flinkreinforce.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./reinforce}: the demo, the learner against your Kafka, the simulator and inspection. */
@Command(
        name = "reinforce",
        mixinStandardHelpOptions = true,
        version = "flink-reinforce 0.1.0",
        description = {
            "An online REINFORCE policy-gradient learner on Apache Flink and Apache Kafka.",
            "Applications log decisions and rewards to Kafka; the learner publishes versioned"
                    + " policy parameters back."
        },
        subcommands = {
            DemoCommand.class,
            LearnCommand.class,
            SimulateCommand.class,
            InspectCommand.class,
            BenchCommand.class,
            LearningBenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Reinforce implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * The command line with every subcommand, including the learner's generated options and the
     * commands' wording of the Kafka options.
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Reinforce());
        LearnCommand.addLearnerOptions(commandLine.getSubcommands().get("learn"));
        BenchCommand.adaptKafkaOptions(commandLine.getSubcommands().get("bench"));
        return commandLine;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
