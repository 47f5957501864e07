package org.flinkreinforce.cli.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    double eventsPerSecond;
    double eventsPerSecondWholeRun;
    long measuredEvents;
    double measuredSeconds;
    double cpuSecondsPerMillionEvents;
    double brokerCpuSecondsPerMillionEvents = Double.NaN;
    double cpuCoresUsed;
    long versionsPublished;
    long latencyEvents;
    double latencyRate;
    long latencyP50Millis = -1;
    long latencyP99Millis = -1;
    long latencyMaxMillis = -1;
    long latencyToCreatedP50Millis = -1;
    long latencyToCreatedP99Millis = -1;
    long peakHeapBytes;
    long maxHeapBytes;
    long peakRssBytes;
    final List<Long> liveHeapBytes = new ArrayList<>();
    final List<Long> liveHeapAtEvents = new ArrayList<>();
    long[] heapAfterGcByDecile = new long[0];
    int garbageCollections;
    long deadLetters;

    /** CPU seconds per thread group of the learner's JVM while draining, largest first. */
    final Map<String, Double> threadCpuSeconds = new LinkedHashMap<>();

    long threadCpuEvents;

    private double measuredEventsTotal() {
        return Math.max(1, threadCpuEvents);
    }

    public double eventsPerSecond() {
        return eventsPerSecond;
    }

    /** The p99 latency bound docs/benchmarks.md states: batch timeout + publish interval + 1 s. */
    long latencyBoundMillis() {
        return batchTimeoutMillis + publishIntervalMillis + 1000;
    }

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
        out.printf(ROW, "versions published while draining", versionsPublished);
        out.println("  learner threads, CPU-s per million events while draining:");
        threadCpuSeconds.entrySet().stream()
                .limit(8)
                .forEach(
                        entry ->
                                out.printf(
                                        "    %-42s %.2f%n",
                                        entry.getKey(),
                                        entry.getValue() / measuredEventsTotal() * 1e6));
        out.printf(ROW, "dead letters", deadLetters);
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
                        eventsPerSecond,
                        eventsPerSecond / rawConsumerRecordsPerSecond,
                        eventsPerSecondWholeRun));
        out.printf(
                ROW,
                "learner CPU",
                String.format(
                        "%.2f CPU-s per million events (%.2f cores busy)",
                        cpuSecondsPerMillionEvents, cpuCoresUsed));
        if (!Double.isNaN(brokerCpuSecondsPerMillionEvents)) {
            out.printf(
                    ROW,
                    "broker CPU meanwhile",
                    String.format(
                            "%.2f CPU-s per million events", brokerCpuSecondsPerMillionEvents));
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
                String.format("%s / %s", mebibytes(peakHeapBytes), mebibytes(maxHeapBytes)));
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
            json.writeNumberField("eventsPerSecond", eventsPerSecond);
            json.writeNumberField("eventsPerSecondWholeRun", eventsPerSecondWholeRun);
            json.writeNumberField(
                    "ratioToRawConsumer", eventsPerSecond / rawConsumerRecordsPerSecond);
            json.writeNumberField("measuredEvents", measuredEvents);
            json.writeNumberField("measuredSeconds", measuredSeconds);
            json.writeNumberField("cpuSecondsPerMillionEvents", cpuSecondsPerMillionEvents);
            if (!Double.isNaN(brokerCpuSecondsPerMillionEvents)) {
                json.writeNumberField(
                        "brokerCpuSecondsPerMillionEvents", brokerCpuSecondsPerMillionEvents);
            }
            json.writeNumberField("cpuCoresUsed", cpuCoresUsed);
            json.writeNumberField("versionsPublished", versionsPublished);
            json.writeNumberField("latencyEvents", latencyEvents);
            json.writeNumberField("latencyRate", latencyRate);
            json.writeNumberField("latencyP50Millis", latencyP50Millis);
            json.writeNumberField("latencyP99Millis", latencyP99Millis);
            json.writeNumberField("latencyMaxMillis", latencyMaxMillis);
            json.writeNumberField("latencyBoundMillis", latencyBoundMillis());
            json.writeNumberField("latencyToCreatedP50Millis", latencyToCreatedP50Millis);
            json.writeNumberField("latencyToCreatedP99Millis", latencyToCreatedP99Millis);
            json.writeNumberField("peakHeapBytes", peakHeapBytes);
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
            json.writeObjectFieldStart("threadCpuSeconds");
            for (Map.Entry<String, Double> entry : threadCpuSeconds.entrySet()) {
                json.writeNumberField(entry.getKey(), entry.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
        }
    }
}
