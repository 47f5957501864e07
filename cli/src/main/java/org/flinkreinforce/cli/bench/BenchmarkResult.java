package org.flinkreinforce.cli.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@link Benchmark} measured: a table for people, a JSON summary for tools. */
public final class BenchmarkResult {

    long events;
    String shape;
    String format;
    int parallelism;
    int partitions;
    long baselineKeys;
    String broker;
    String kernel;
    String cpu;
    int availableProcessors;
    int batchSize;
    long batchTimeoutMillis;
    long publishIntervalMillis;
    long checkpointIntervalMillis;
    long eventBytes;
    double meanEventBytes;
    double preloadSeconds;
    double rawConsumerRecordsPerSecond;
    double rawConsumerCpuSecondsPerMillionEvents;
    double rawConsumerBrokerCpuSecondsPerMillionEvents = Double.NaN;

    /** The learner on the pre-joined events of the events topic. */
    final Drain learner = new Drain();

    long latencyEvents;
    double latencyRate;
    long latencyP50Millis = -1;
    long latencyP99Millis = -1;
    long latencyMaxMillis = -1;
    long latencyToCreatedP50Millis = -1;
    long latencyToCreatedP99Millis = -1;
    long maxHeapBytes;
    long peakRssBytes;
    final List<Long> liveHeapBytes = new ArrayList<>();
    final List<Long> liveHeapAtEvents = new ArrayList<>();
    long[] heapAfterGcByDecile = new long[0];
    int garbageCollections;
    long deadLetters;

    /** Where the rewards are: {@code inline} (events topic only) or {@code split} (and joined). */
    RewardsMode rewards = RewardsMode.INLINE;

    /** With {@link RewardsMode#SPLIT}: the same events logged apart, joined by the learner. */
    Drain joined;

    double meanDecisionBytes;
    double meanRewardBytes;
    double splitPreloadSeconds;
    long historyMillis;
    long rewardWaitMillis;

    /** The joined run's checkpoint interval (the join's default is longer than the events'). */
    long joinedCheckpointIntervalMillis;

    long maxRewardDelayMillis;
    long joinedDeadLetters;

    /** {@code softmax}, or {@code ranker}: also the same events learned by a ranker policy. */
    PolicyKind policyKind = PolicyKind.SOFTMAX;

    /**
     * With {@link PolicyKind#RANKER}: the softmax and the ranker learner of each pair, in order.
     */
    final List<Pair> pairs = new ArrayList<>();

    /** With {@link PolicyKind#RANKER}: one plain consumer on the ranker events. */
    RawRead rankerRawConsumer;

    double meanRankerEventBytes;
    int rankerBits;
    String rankerInteractions;
    long rankerPublishIntervalMillis;
    long rankerDeadLetters;

    /** The measured read of one plain consumer over a topic's events. */
    record RawRead(
            double recordsPerSecond,
            double cpuSecondsPerMillionRecords,
            double brokerCpuSecondsPerMillionRecords) {}

    /** A softmax and a ranker learner on the same events, one after the other. */
    record Pair(boolean rankerFirst, Drain softmax, Drain ranker) {
        double rankerToSoftmax() {
            return ranker.eventsPerSecond / softmax.eventsPerSecond;
        }
    }

    /** The median over the pairs of the ranker's rate over the softmax learner's. */
    double rankerToSoftmax() {
        double[] ratios = pairs.stream().mapToDouble(Pair::rankerToSoftmax).sorted().toArray();
        int middle = ratios.length / 2;
        return ratios.length % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
    }

    public double eventsPerSecond() {
        return learner.eventsPerSecond;
    }

    /** The joined rate over the pre-joined one, measured in the same run on the same events. */
    double joinedToPreJoined() {
        return joined.eventsPerSecond / learner.eventsPerSecond;
    }

    /** The p99 latency bound docs/benchmarks.md states: batch timeout + publish interval + 1 s. */
    long latencyBoundMillis() {
        return batchTimeoutMillis + publishIntervalMillis + 1000;
    }

    /** What the summary's names of the joined run's figures start with. */
    private static final String JOINED = "joined";

    /** One row of the table: a label, then its value. */
    private static final String ROW = "  %-44s %s%n";

    public void printTable(PrintStream out) {
        out.println();
        out.printf(
                "flink-reinforce bench: %,d %s events, shape %s, parallelism %d, %d partitions,"
                        + " kernel %s, batch %d%n",
                events, format, shape, parallelism, partitions, kernel, batchSize);
        out.printf("measured on: %s, %d cores; broker: %s%n", cpu, availableProcessors, broker);
        if (baselineKeys > 0) {
            out.printf(
                    "baseline keys: %,d, each for %d consecutive events%n",
                    baselineKeys, BanditEvents.EVENTS_PER_KEY);
        }
        printRates(out);
        printLatency(out);
        printMemory(out);
        out.printf(ROW, "versions published while draining", learner.versionsPublished);
        printThreads(out, "learner threads", learner);
        out.printf(ROW, "dead letters", deadLetters);
        if (!pairs.isEmpty()) {
            printRanker(out);
        }
        if (joined != null) {
            printJoined(out);
        }
    }

    /** The rows of {@link PolicyKind#RANKER}: the same events learned by a ranker, in pairs. */
    private void printRanker(PrintStream out) {
        out.printf(
                "ranker policy: the same %,d events as ranker events (%.0f bytes), a candidate per"
                        + " action with its id as its only feature, the %s shared features"
                        + " crossed with it (%s), 2^%d weights, publish.interval %s; %d pair(s) of"
                        + " learners in alternating order%n",
                events,
                meanRankerEventBytes,
                shape.split(":")[0],
                rankerInteractions,
                rankerBits,
                duration(rankerPublishIntervalMillis),
                pairs.size());
        out.printf(
                ROW,
                "raw consumer on the ranker events",
                String.format(
                        "%,.0f records/s (%.2f / %.2f CPU-s per million records)",
                        rankerRawConsumer.recordsPerSecond(),
                        rankerRawConsumer.cpuSecondsPerMillionRecords(),
                        rankerRawConsumer.brokerCpuSecondsPerMillionRecords()));
        for (int k = 0; k < pairs.size(); k++) {
            Pair pair = pairs.get(k);
            out.printf(
                    ROW,
                    String.format(
                            "pair %d (%s first): softmax, ranker",
                            k + 1, pair.rankerFirst() ? "ranker" : "softmax"),
                    String.format(
                            "%,.0f / %,.0f events/s (%.2f / %.2f CPU-s per M): %.2f",
                            pair.softmax().eventsPerSecond,
                            pair.ranker().eventsPerSecond,
                            pair.softmax().cpuSecondsPerMillionEvents,
                            pair.ranker().cpuSecondsPerMillionEvents,
                            pair.rankerToSoftmax()));
        }
        out.printf(
                ROW,
                "ranker / softmax, median of the pairs",
                String.format(
                        "%.2f (ranker / its raw consumer %.2f)",
                        rankerToSoftmax(),
                        lastRanker().eventsPerSecond / rankerRawConsumer.recordsPerSecond()));
        printThreads(out, "ranker learner threads, last pair", lastRanker());
        out.printf(ROW, "dead letters of the ranker learners", rankerDeadLetters);
    }

    private Drain lastRanker() {
        return pairs.get(pairs.size() - 1).ranker();
    }

    private static void printThreads(PrintStream out, String title, Drain drain) {
        out.println("  " + title + ", CPU-s per million events while draining:");
        drain.threadCpuSeconds.keySet().stream()
                .limit(8)
                .forEach(
                        group ->
                                out.printf(
                                        "    %-42s %.2f%n",
                                        group, drain.threadCpuSecondsPerMillionEvents(group)));
    }

    /** The rows of {@link RewardsMode#SPLIT}: the same events, logged apart and joined. */
    private void printJoined(PrintStream out) {
        out.printf(
                "rewards split: the same %,d events as decisions (%.0f bytes) and rewards (%.0f"
                        + " bytes), over %s of event time, each reward up to %s after its decision;"
                        + " reward.wait %s; checkpoints every %s (pre-joined: %s)%n",
                events,
                meanDecisionBytes,
                meanRewardBytes,
                duration(historyMillis),
                duration(maxRewardDelayMillis),
                duration(rewardWaitMillis),
                duration(joinedCheckpointIntervalMillis),
                duration(checkpointIntervalMillis));
        out.printf(
                ROW,
                "learner, decisions and rewards joined",
                String.format(
                        "%,.0f events/s (whole run %,.0f/s)",
                        joined.eventsPerSecond, joined.eventsPerSecondWholeRun));
        out.printf(
                ROW,
                "joined / pre-joined, same events and run",
                String.format("%.2f", joinedToPreJoined()));
        printCpu(out, "joined learner CPU", joined);
        out.printf(ROW, "heap peak used while joining", mebibytes(joined.peakHeapBytes));
        printThreads(out, "joined learner threads", joined);
        out.printf(ROW, "dead letters of the joined run", joinedDeadLetters);
    }

    /** {@code millis} in hours, minutes, seconds or milliseconds, the largest it reaches. */
    private static String duration(long millis) {
        if (millis >= 3_600_000) {
            return decimal(millis / 3.6e6) + " h";
        }
        if (millis < 1000) {
            return millis + " ms";
        }
        return millis >= 60_000 ? decimal(millis / 6e4) + " min" : decimal(millis / 1e3) + " s";
    }

    /** {@code value} without decimals where it is whole, else with one. */
    private static String decimal(double value) {
        return String.format(value == Math.rint(value) ? "%.0f" : "%.1f", value);
    }

    private void printRates(PrintStream out) {
        out.printf(ROW, "mean event size", String.format("%.0f bytes", meanEventBytes));
        out.printf(
                ROW,
                "raw consumer (one plain KafkaConsumer)",
                String.format("%,.0f records/s", rawConsumerRecordsPerSecond));
        out.printf(
                ROW,
                "raw consumer CPU, its JVM / the broker",
                String.format(
                        "%.2f / %.2f CPU-s per million records",
                        rawConsumerCpuSecondsPerMillionEvents,
                        rawConsumerBrokerCpuSecondsPerMillionEvents));
        out.printf(
                ROW,
                "learner, end to end",
                String.format(
                        "%,.0f events/s (%.2f x raw consumer; whole run %,.0f/s)",
                        learner.eventsPerSecond,
                        learner.eventsPerSecond / rawConsumerRecordsPerSecond,
                        learner.eventsPerSecondWholeRun));
        printCpu(out, "learner CPU", learner);
    }

    private static void printCpu(PrintStream out, String label, Drain drain) {
        out.printf(
                ROW,
                label,
                String.format(
                        "%.2f CPU-s per million events (%.2f cores busy)",
                        drain.cpuSecondsPerMillionEvents, drain.cpuCoresUsed));
        if (!Double.isNaN(drain.brokerCpuSecondsPerMillionEvents)) {
            out.printf(
                    ROW,
                    "broker CPU meanwhile",
                    String.format(
                            "%.2f CPU-s per million events",
                            drain.brokerCpuSecondsPerMillionEvents));
        }
    }

    private void printLatency(PrintStream out) {
        if (latencyP50Millis >= 0) {
            out.printf(
                    ROW,
                    String.format("latency append -> visible version @ %,.0f/s", latencyRate),
                    String.format(
                            "p50 %d ms, p99 %d ms, max %d ms (bound %d ms)",
                            latencyP50Millis,
                            latencyP99Millis,
                            latencyMaxMillis,
                            latencyBoundMillis()));
            out.printf(
                    ROW,
                    "  of which until the learner created it",
                    String.format(
                            "p50 %d ms, p99 %d ms (the rest: until its checkpoint committed)",
                            latencyToCreatedP50Millis, latencyToCreatedP99Millis));
        }
    }

    private void printMemory(PrintStream out) {
        out.printf(
                ROW,
                "heap: peak used / max",
                String.format(
                        "%s / %s", mebibytes(learner.peakHeapBytes), mebibytes(maxHeapBytes)));
        StringBuilder live = new StringBuilder();
        for (int k = 0; k < liveHeapBytes.size(); k++) {
            live.append(k == 0 ? "" : ", ")
                    .append(mebibytes(liveHeapBytes.get(k)))
                    .append(" @ ")
                    .append(String.format("%,d", liveHeapAtEvents.get(k)));
        }
        out.printf(ROW, "heap live after a full GC (at events)", live);
        StringBuilder deciles = new StringBuilder();
        for (long bytes : heapAfterGcByDecile) {
            deciles.append(deciles.length() == 0 ? "" : " ")
                    .append(bytes < 0 ? "-" : mebibytes(bytes).replace(" MiB", ""));
        }
        out.printf(
                ROW,
                "heap after GC, max per tenth of the run",
                deciles + " MiB (" + garbageCollections + " GCs)");
        out.printf(ROW, "peak RSS of the learner's JVM", mebibytes(peakRssBytes));
    }

    private static String mebibytes(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.0f MiB", bytes / 1048576.0);
    }

    public void writeJson(File file) throws IOException {
        try (JsonGenerator json = new JsonFactory().createGenerator(file, JsonEncoding.UTF8)) {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeNumberField("events", events);
            json.writeStringField("shape", shape);
            json.writeStringField("format", format);
            json.writeNumberField("parallelism", parallelism);
            json.writeNumberField("partitions", partitions);
            json.writeNumberField("baselineKeys", baselineKeys);
            json.writeStringField("broker", broker);
            json.writeStringField("kernel", kernel);
            json.writeStringField("cpu", cpu);
            json.writeNumberField("availableProcessors", availableProcessors);
            json.writeNumberField("batchSize", batchSize);
            json.writeNumberField("batchTimeoutMillis", batchTimeoutMillis);
            json.writeNumberField("publishIntervalMillis", publishIntervalMillis);
            json.writeNumberField("checkpointIntervalMillis", checkpointIntervalMillis);
            json.writeNumberField("meanEventBytes", meanEventBytes);
            json.writeNumberField("preloadSeconds", preloadSeconds);
            json.writeNumberField("rawConsumerRecordsPerSecond", rawConsumerRecordsPerSecond);
            json.writeNumberField(
                    "rawConsumerCpuSecondsPerMillionEvents", rawConsumerCpuSecondsPerMillionEvents);
            if (!Double.isNaN(rawConsumerBrokerCpuSecondsPerMillionEvents)) {
                json.writeNumberField(
                        "rawConsumerBrokerCpuSecondsPerMillionEvents",
                        rawConsumerBrokerCpuSecondsPerMillionEvents);
            }
            writeRates(json, "", learner);
            json.writeNumberField(
                    "ratioToRawConsumer", learner.eventsPerSecond / rawConsumerRecordsPerSecond);
            json.writeNumberField("latencyEvents", latencyEvents);
            json.writeNumberField("latencyRate", latencyRate);
            json.writeNumberField("latencyP50Millis", latencyP50Millis);
            json.writeNumberField("latencyP99Millis", latencyP99Millis);
            json.writeNumberField("latencyMaxMillis", latencyMaxMillis);
            json.writeNumberField("latencyBoundMillis", latencyBoundMillis());
            json.writeNumberField("latencyToCreatedP50Millis", latencyToCreatedP50Millis);
            json.writeNumberField("latencyToCreatedP99Millis", latencyToCreatedP99Millis);
            json.writeNumberField("peakHeapBytes", learner.peakHeapBytes);
            json.writeNumberField("maxHeapBytes", maxHeapBytes);
            json.writeNumberField("peakRssBytes", peakRssBytes);
            json.writeArrayFieldStart("liveHeap");
            for (int k = 0; k < liveHeapBytes.size(); k++) {
                json.writeStartObject();
                json.writeNumberField("eventsApplied", liveHeapAtEvents.get(k));
                json.writeNumberField("bytes", liveHeapBytes.get(k));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("heapAfterGcByDecileBytes");
            for (long bytes : heapAfterGcByDecile) {
                json.writeNumber(bytes);
            }
            json.writeEndArray();
            json.writeNumberField("garbageCollections", garbageCollections);
            json.writeNumberField("deadLetters", deadLetters);
            writeThreads(json, "", learner);
            json.writeStringField("rewards", rewards.toString());
            json.writeStringField("policyKind", policyKind.toString());
            if (!pairs.isEmpty()) {
                writeRanker(json);
            }
            if (joined != null) {
                writeJoined(json);
            }
            json.writeEndObject();
        }
    }

    /**
     * The rates and CPU of {@code drain} under the summary's names, each after {@code prefix}
     * ({@code eventsPerSecond}, or {@code joinedEventsPerSecond} after {@code joined}).
     */
    private static void writeRates(JsonGenerator json, String prefix, Drain drain)
            throws IOException {
        json.writeNumberField(name(prefix, "eventsPerSecond"), drain.eventsPerSecond);
        json.writeNumberField(
                name(prefix, "eventsPerSecondWholeRun"), drain.eventsPerSecondWholeRun);
        json.writeNumberField(name(prefix, "measuredEvents"), drain.measuredEvents);
        json.writeNumberField(name(prefix, "measuredSeconds"), drain.measuredSeconds);
        json.writeNumberField(
                name(prefix, "cpuSecondsPerMillionEvents"), drain.cpuSecondsPerMillionEvents);
        if (!Double.isNaN(drain.brokerCpuSecondsPerMillionEvents)) {
            json.writeNumberField(
                    name(prefix, "brokerCpuSecondsPerMillionEvents"),
                    drain.brokerCpuSecondsPerMillionEvents);
        }
        json.writeNumberField(name(prefix, "cpuCoresUsed"), drain.cpuCoresUsed);
        json.writeNumberField(name(prefix, "versionsPublished"), drain.versionsPublished);
    }

    private static void writeThreads(JsonGenerator json, String prefix, Drain drain)
            throws IOException {
        json.writeObjectFieldStart(name(prefix, "threadCpuSeconds"));
        for (Map.Entry<String, Double> entry : drain.threadCpuSeconds.entrySet()) {
            json.writeNumberField(entry.getKey(), entry.getValue());
        }
        json.writeEndObject();
    }

    private static String name(String prefix, String field) {
        return prefix.isEmpty()
                ? field
                : prefix + Character.toUpperCase(field.charAt(0)) + field.substring(1);
    }

    /** The ranker's figures, each pair's rates and the last ranker learner's thread CPU. */
    private void writeRanker(JsonGenerator json) throws IOException {
        json.writeNumberField("rankerToSoftmax", rankerToSoftmax());
        json.writeNumberField("meanRankerEventBytes", meanRankerEventBytes);
        json.writeNumberField(
                "rankerRawConsumerRecordsPerSecond", rankerRawConsumer.recordsPerSecond());
        json.writeNumberField("rankerBits", rankerBits);
        json.writeStringField("rankerInteractions", rankerInteractions);
        json.writeNumberField("rankerPublishIntervalMillis", rankerPublishIntervalMillis);
        json.writeNumberField("rankerDeadLetters", rankerDeadLetters);
        json.writeNumberField("rankerEventsApplied", lastRanker().eventsApplied);
        json.writeArrayFieldStart("rankerPairs");
        for (Pair pair : pairs) {
            json.writeStartObject();
            json.writeBooleanField("rankerFirst", pair.rankerFirst());
            json.writeNumberField("rankerToSoftmax", pair.rankerToSoftmax());
            writeRates(json, "softmax", pair.softmax());
            writeRates(json, "ranker", pair.ranker());
            json.writeEndObject();
        }
        json.writeEndArray();
        writeThreads(json, "ranker", lastRanker());
    }

    /** The joined run's figures, each named after {@code joined}, and the history's settings. */
    private void writeJoined(JsonGenerator json) throws IOException {
        json.writeNumberField("joinedToPreJoined", joinedToPreJoined());
        writeRates(json, JOINED, joined);
        json.writeNumberField("joinedEventsApplied", joined.eventsApplied);
        json.writeNumberField("joinedPeakHeapBytes", joined.peakHeapBytes);
        json.writeNumberField("joinedDeadLetters", joinedDeadLetters);
        json.writeNumberField("meanDecisionBytes", meanDecisionBytes);
        json.writeNumberField("meanRewardBytes", meanRewardBytes);
        json.writeNumberField("splitPreloadSeconds", splitPreloadSeconds);
        json.writeNumberField("historyMillis", historyMillis);
        json.writeNumberField("rewardWaitMillis", rewardWaitMillis);
        json.writeNumberField("joinedCheckpointIntervalMillis", joinedCheckpointIntervalMillis);
        json.writeNumberField("maxRewardDelayMillis", maxRewardDelayMillis);
        writeThreads(json, JOINED, joined);
    }
}
