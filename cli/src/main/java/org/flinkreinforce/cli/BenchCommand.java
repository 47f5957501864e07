package org.flinkreinforce.cli;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flinkreinforce.cli.bench.Benchmark;
import org.flinkreinforce.cli.bench.BenchmarkResult;
import org.flinkreinforce.cli.bench.PolicyKind;
import org.flinkreinforce.cli.bench.RewardsMode;
import org.flinkreinforce.formats.event.EventFormat;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.util.SettingNames;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./reinforce bench}: end-to-end throughput, latency, CPU and memory of the learner on a
 * real broker, next to the raw rate of one plain Kafka consumer on the same records.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the learner end to end: pre-loads events of a known bandit, measures the raw"
                    + " rate of one plain Kafka consumer on them, runs the learner from the"
                    + " earliest offset until every event is applied, then measures the latency"
                    + " from an event's append to the first visible version that includes it"
                    + " under a steady load. Prints a table; --summary writes it as JSON.",
            "With --rewards split it then learns the same events once more, logged apart as"
                    + " decisions and their delayed rewards and joined by the learner"
                    + " (rewards.join), and prints the joined rate next to the pre-joined one.",
            "With --policy-kind ranker it also learns the same events as ranker events, a"
                    + " candidate per action, with a ranker policy, in --pairs pairs of learners"
                    + " that alternate with further softmax learners, and prints both rates and"
                    + " their ratio.",
            "Without --bootstrap-servers it starts Apache Kafka's broker in a process of its own"
                    + " on this machine."
        })
public final class BenchCommand implements Callable<Integer> {

    @Option(
            names = "--events",
            defaultValue = "1000000",
            description = "Events to pre-load and learn from (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(
            names = "--shape",
            defaultValue = "32:10",
            paramLabel = "D:ACTIONS",
            description = "Feature dimension and number of actions (default: ${DEFAULT-VALUE}).")
    String shape;

    @Option(
            names = "--format",
            defaultValue = "json",
            description = "Event format: json or binary (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Parallelism of the learner job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--partitions",
            description = "Partitions of the events topic (default: the parallelism).")
    Integer partitions;

    @Mixin KafkaOptions kafka;

    @Option(
            names = "--learner-property",
            paramLabel = "KEY=VALUE",
            description =
                    "A learner option (see docs/configuration.md), e.g."
                            + " batch.size=512; repeatable.")
    Map<String, String> learnerProperties = new LinkedHashMap<>();

    @Option(
            names = "--latency-seconds",
            defaultValue = "10",
            description =
                    "How long the steady load of the latency phase lasts; 0 skips it (default:"
                            + " ${DEFAULT-VALUE}).")
    double latencySeconds;

    @Option(
            names = "--latency-rate",
            description =
                    "Events per second of the latency phase (default: a quarter of the measured"
                            + " throughput, at most 50000).")
    Double latencyRate;

    @Option(
            names = "--kernel",
            defaultValue = "auto",
            description = "auto, native, vector or ejml (default: ${DEFAULT-VALUE}).")
    String kernel;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the bandit (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--baseline-keys",
            defaultValue = "0",
            paramLabel = "K",
            description =
                    "0: every event uses the policy's baseline (default); K: baseline keys user-0"
                            + " ... user-(K-1), each for 10 consecutive events in turn, e.g. to"
                            + " show what --learner-property baseline.key-ttl=... bounds.")
    long baselineKeys;

    @Option(
            names = "--rewards",
            defaultValue = "inline",
            paramLabel = "inline|split",
            description =
                    "inline: events carry their rewards (the events topic); split: also the same"
                            + " events as decisions on a decisions topic and each reward a few"
                            + " seconds later on a rewards topic, 100 decisions a second of event"
                            + " time, learned with rewards.join (reward.* options through"
                            + " --learner-property) until every decision is applied; prints both"
                            + " rates and their ratio (default: ${DEFAULT-VALUE}).")
    String rewards;

    @Option(
            names = "--policy-kind",
            defaultValue = "softmax",
            paramLabel = "softmax|ranker",
            description =
                    "softmax: the events learned by a softmax policy over the shape's actions (the"
                            + " fixed catalogue); ranker: also the same events as ranker events, a"
                            + " candidate per action with its id as its only feature and the"
                            + " features as shared ones, crossed, learned by a ranker policy in"
                            + " runs that alternate with the softmax learner's; prints both rates"
                            + " and their ratio (default: ${DEFAULT-VALUE}).")
    String policyKind;

    @Option(
            names = "--pairs",
            defaultValue = "3",
            description =
                    "With --policy-kind ranker: pairs of a softmax and a ranker learner, in"
                            + " alternating order (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--summary", paramLabel = "FILE", description = "Write a JSON summary here.")
    File summary;

    /** Words the Kafka options for {@code bench}, where the broker is optional. */
    static void adaptKafkaOptions(CommandLine bench) {
        KafkaOptions.adapt(
                bench,
                KafkaOptions.BOOTSTRAP_SERVERS,
                option ->
                        option.required(false)
                                .description(
                                        "An external broker; the benchmark creates topics of its"
                                                + " own there."));
        KafkaOptions.adapt(
                bench,
                KafkaOptions.KAFKA_PROPERTY,
                option ->
                        option.description(
                                "A Kafka client property for an external broker; repeatable."));
    }

    @Override
    public Integer call() throws Exception {
        String[] dimensions = shape.split(":");
        if (dimensions.length != 2) {
            throw new IllegalArgumentException(
                    "--shape takes D:ACTIONS, e.g. 32:10; got " + shape + ".");
        }
        Benchmark.Settings settings =
                new Benchmark.Settings(
                        events,
                        Integer.parseInt(dimensions[0].trim()),
                        Integer.parseInt(dimensions[1].trim()),
                        EventFormat.parse(format),
                        parallelism,
                        partitions != null ? partitions : parallelism,
                        kafka.bootstrapServers,
                        kafka.properties,
                        learnerProperties,
                        latencySeconds,
                        latencyRate,
                        SettingNames.parse(KernelChoice.class, kernel, "kernel"),
                        seed,
                        baselineKeys,
                        SettingNames.parse(RewardsMode.class, rewards, "--rewards"),
                        SettingNames.parse(PolicyKind.class, policyKind, "--policy-kind"),
                        pairs);
        BenchmarkResult result = new Benchmark(settings, System.out).run();
        result.printTable(System.out);
        if (summary != null) {
            result.writeJson(summary);
            System.out.println("Summary written to " + summary + ".");
        }
        return 0;
    }
}
