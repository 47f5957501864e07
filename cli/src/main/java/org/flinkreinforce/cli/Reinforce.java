package org.flinkreinforce.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code ./reinforce}: the demo, the learner against your Kafka, the simulator and inspection.
 *
 * <p>Failures are one line on stderr: a usage error or a bad value names the flag and exits with 2,
 * any other failure exits with 1; {@code --verbose} adds the stack trace and Flink's and Kafka's
 * informational logs.
 */
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
            PolicyCommand.class,
            BenchCommand.class,
            LearningBenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Reinforce implements Runnable {

    static final String VERBOSE = "--verbose";

    /** Exit code of a usage error or a bad value. */
    static final int USAGE = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = VERBOSE,
            scope = ScopeType.INHERIT,
            description = "Print stack traces and the informational logs of Flink and Kafka.")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * The command line with every subcommand, including the learner's generated options and the
     * commands' wording of the Kafka options, and one-line failures.
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Reinforce());
        // Every DURATION flag reads 500 ms, 15 s, 2 min.
        commandLine.registerConverter(Duration.class, new Durations.Converter());
        LearnCommand.addLearnerOptions(commandLine.getSubcommands().get("learn"));
        BenchCommand.adaptKafkaOptions(commandLine.getSubcommands().get("bench"));
        commandLine.setParameterExceptionHandler(Reinforce::usageError);
        commandLine.setExecutionExceptionHandler(Reinforce::failure);
        return commandLine;
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains(VERBOSE)) {
            // Before the first logger exists: the verbose configuration logs at INFO with traces.
            System.setProperty("log4j2.configurationFile", "log4j2-verbose.properties");
        }
        System.exit(commandLine().execute(args));
    }

    private static int usageError(CommandLine.ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        if (Arrays.asList(args).contains(VERBOSE)) {
            error.printStackTrace(command.getErr());
        }
        String name = command.getCommandSpec().qualifiedName();
        command.getErr()
                .println(
                        name
                                + ": "
                                + Failures.oneLine(error.getMessage())
                                + " (see "
                                + name.replaceFirst("^reinforce", "./reinforce")
                                + " --help)");
        return USAGE;
    }

    private static int failure(Exception error, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        if (matched(parsed)) {
            error.printStackTrace(err);
        }
        err.println(command.getCommandSpec().qualifiedName() + ": " + Failures.describe(error));
        err.flush();
        return 1;
    }

    private static boolean matched(ParseResult parsed) {
        for (ParseResult result = parsed; result != null; result = result.subcommand()) {
            if (result.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }
}
