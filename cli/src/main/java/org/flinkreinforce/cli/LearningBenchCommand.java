package org.flinkreinforce.cli;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.flinkreinforce.cli.learning.LearningBenchResult;
import org.flinkreinforce.cli.learning.LearningBenchmark;
import org.flinkreinforce.cli.learning.Variant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./reinforce learning-bench}: how well variants of the learner learn from the same logged
 * events of a contextual bandit whose optimal policy is known.
 */
@Command(
        name = "learning-bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures learning quality: writes one sequence of events of a contextual bandit with"
                    + " a linear reward model (x ~ N(0, I), r = theta_a . x + noise), logged by a"
                    + " uniform policy, to a topic once; every variant of the learner learns from"
                    + " it from the earliest offset. The published policy at each checkpoint is"
                    + " scored on held-out contexts with exact expected rewards: regret %% ="
                    + " 100 (R* - R) / (R* - R_uniform), greedy and stochastic.",
            "Prints a table; --summary writes JSON, --plot a PNG. Runs Apache Kafka's broker and"
                    + " the learner in this process."
        })
public final class LearningBenchCommand implements Callable<Integer> {

    @Option(
            names = "--events",
            defaultValue = "1000000",
            description = "Events to log and learn from (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(
            names = "--features",
            defaultValue = "32",
            description = "Context dimension d (default: ${DEFAULT-VALUE}).")
    int features;

    @Option(
            names = "--actions",
            defaultValue = "10",
            description = "Number of actions (default: ${DEFAULT-VALUE}).")
    int actions;

    @Option(
            names = "--noise",
            defaultValue = "0.1",
            description = "Standard deviation of the reward noise (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of the reward model, the events and the held-out set (default:"
                            + " ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--checkpoints",
            defaultValue = "100000,300000,1000000",
            split = ",",
            paramLabel = "EVENTS",
            description =
                    "Events applied at which the policy is scored; those above --events are left"
                            + " out and --events is always the last (default: ${DEFAULT-VALUE}).")
    List<Long> checkpoints;

    @Option(
            names = "--held-out",
            defaultValue = "20000",
            description =
                    "Held-out contexts the policies are scored on (default: ${DEFAULT-VALUE}).")
    int heldOut;

    @Option(
            names = "--variants",
            defaultValue = "release-0.1,default",
            split = ",",
            paramLabel = "NAME",
            description =
                    "Built-in variants to run: release-0.1 (the first release's settings written"
                            + " out: estimator=reinforce, baseline=mean, learning-rate=0.05,"
                            + " learning-rate.schedule=constant, average=none) and default (the"
                            + " learner's defaults); none for none"
                            + " (default: ${DEFAULT-VALUE}).")
    List<String> builtIn;

    @Option(
            names = "--variant",
            paramLabel = "NAME:KEY=VALUE,...",
            description =
                    "One more variant: a name and learner options (see docs/configuration.md), e.g."
                            + " slow:learning-rate=0.01,batch.size=64; repeatable. A variant whose"
                            + " options the learner rejects is reported and skipped.")
    List<String> variants = new ArrayList<>();

    @Option(
            names = "--kernel",
            defaultValue = "auto",
            description = "auto, native, vector or ejml (default: ${DEFAULT-VALUE}).")
    String kernel;

    @Option(names = "--summary", paramLabel = "FILE", description = "Write a JSON summary here.")
    File summary;

    @Option(
            names = "--plot",
            paramLabel = "FILE.png",
            description = "Write the regret curves as a PNG here.")
    File plot;

    @Override
    public Integer call() throws Exception {
        List<Variant> all = new ArrayList<>();
        for (String name : builtIn) {
            if (!name.equals("none")) {
                all.add(Variant.builtIn(name.trim()));
            }
        }
        for (String text : variants) {
            all.add(Variant.parse(text));
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("Name at least one variant.");
        }
        if (all.stream().map(Variant::name).distinct().count() < all.size()) {
            throw new IllegalArgumentException("Two variants have the same name.");
        }
        LearningBenchmark.Settings settings =
                new LearningBenchmark.Settings(
                        events, features, actions, noise, seed, checkpoints, heldOut, all, kernel);
        LearningBenchResult result = new LearningBenchmark(settings, System.out).run();
        result.printTable(System.out);
        if (summary != null) {
            result.writeJson(summary);
            System.out.println("Summary written to " + summary + ".");
        }
        if (plot != null) {
            result.writePlot(plot);
            System.out.println("Regret curves written to " + plot + ".");
        }
        return 0;
    }
}
