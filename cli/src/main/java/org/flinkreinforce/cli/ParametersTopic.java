package org.flinkreinforce.cli;

import org.flinkreinforce.job.LearnerOptions;
import picocli.CommandLine.Option;

/** {@code --parameters-topic}, for the commands that read published snapshots. */
final class ParametersTopic {

    @Option(
            names = "--parameters-topic",
            paramLabel = "TOPIC",
            description = "Default: ${DEFAULT-VALUE}.")
    String name = LearnerOptions.PARAMETERS_TOPIC.defaultValue();
}
