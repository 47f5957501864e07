package org.flinkreinforce.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flinkreinforce.cli.sim.Environment;
import org.flinkreinforce.cli.sim.Simulator;
import org.flinkreinforce.client.EventLogger;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.job.LearnerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The demo's simulated application against an external Kafka. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description =
                "Acts as an application would: decides with the newest published policy, acts in"
                        + " a simulated environment and logs each event with its reward.")
public final class SimulateCommand implements Callable<Integer> {

    @Mixin KafkaOptions kafka;

    @Option(names = "--scenario", required = true, description = "recs or nas.")
    String scenario;

    @Option(
            names = "--policy-id",
            required = true,
            description =
                    "The policy to decide with; the learner must learn it with the scenario's shape (recs: ID:16:10, nas: ID:0:6,6,4,4).")
    String policyId;

    @Option(names = "--events", description = "Events to produce (default: until Ctrl-C).")
    Long events;

    @Option(
            names = "--rate",
            defaultValue = "100",
            paramLabel = "PER_SECOND",
            description =
                    "Events per second; 0 for as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of the environment (its hidden reward model) and the decisions (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--events-topic", description = "Default: ${DEFAULT-VALUE}.")
    String eventsTopic = LearnerOptions.EVENTS_TOPIC.defaultValue();

    @Option(names = "--parameters-topic", description = "Default: ${DEFAULT-VALUE}.")
    String parametersTopic = LearnerOptions.PARAMETERS_TOPIC.defaultValue();

    @Override
    public Integer call() throws Exception {
        Environment environment = Environment.of(scenario, seed);
        AtomicBoolean stop = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
        System.out.println(
                "Simulating "
                        + environment.describe()
                        + " as policy "
                        + policyId
                        + " ("
                        + environment.spec(policyId)
                        + ").");
        try (PolicyClient client = new PolicyClient(kafka.clientProperties(), parametersTopic);
                EventLogger logger = new EventLogger(kafka.clientProperties(), eventsTopic)) {
            Simulator simulator = new Simulator(environment, policyId, client, logger, seed);
            long produced =
                    simulator.run(
                            events == null ? Long.MAX_VALUE : events,
                            rate,
                            progress ->
                                    System.out.printf(
                                            "%8d events (%6.0f/s) | version %5d |"
                                                    + " mean reward %8.4f | expected %8.4f of %.4f%n",
                                            progress.eventsProduced(),
                                            progress.eventsPerSecond(),
                                            progress.version(),
                                            progress.recentMeanReward(),
                                            progress.expectedReward(),
                                            environment.optimalReward()),
                            stop::get);
            System.out.println("Produced " + produced + " events.");
        }
        return 0;
    }
}
