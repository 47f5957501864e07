package org.flinkreinforce.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.formats.snapshot.ValidationStatistics;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.evaluation.Estimate;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.RankerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints the newest snapshot of each policy on the parameters topic. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Prints the newest published snapshot per policy.")
public final class InspectCommand implements Callable<Integer> {

    @Mixin KafkaOptions kafka;

    @Mixin ParametersTopic parameters;

    @Option(names = "--policy-id", description = "Only this policy.")
    String policyId;

    @Option(
            names = "--json",
            description = "One JSON object per policy and line, with every weight.")
    boolean json;

    @Option(
            names = "--feature",
            paramLabel = "FEATURE",
            description =
                    "A ranker feature whose weight to print (repeatable): ns:name=value,"
                            + " ns:name, ns:[i], or SHARED*CANDIDATE for a cross, e.g."
                            + " 'user:segment=s1*item:category=shoes'.")
    java.util.List<String> features = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        java.util.List<FeatureName> named = features.stream().map(FeatureName::new).toList();
        // A name it cannot read fails before anything is read from Kafka.
        named.forEach(feature -> feature.hash(new FeatureHasher(0)));
        SnapshotReader.Latest published =
                SnapshotReader.readLatestOfEach(
                        kafka.connect(), parameters.name, Duration.ofSeconds(30));
        Map<String, ParameterSnapshot> latest = new TreeMap<>(published.policies());
        Map<String, RankerSnapshot> rankers = new TreeMap<>(published.rankers());
        if (policyId != null) {
            latest.keySet().retainAll(java.util.Set.of(policyId));
            rankers.keySet().retainAll(java.util.Set.of(policyId));
        }
        if (latest.isEmpty() && rankers.isEmpty() && !json) {
            System.out.println(
                    "No snapshot on "
                            + parameters.name
                            + (policyId == null ? "." : " for policy " + policyId + "."));
        }
        for (ParameterSnapshot snapshot : latest.values()) {
            System.out.println(json ? toJson(snapshot) : describe(snapshot));
        }
        for (RankerSnapshot snapshot : rankers.values()) {
            System.out.println(json ? toJson(snapshot) : describe(snapshot));
            if (!json && !named.isEmpty()) {
                System.out.print(namedWeights(snapshot, named));
            }
        }
        return 0;
    }

    /**
     * The progressive validation line: the policy's value estimated on recent events before it
     * learned from them, with 95% intervals, next to what the logging policy earned.
     */
    static String validation(ValidationStatistics v) {
        if (!v.isPresent()) {
            return "  validation: none yet\n";
        }
        return String.format(
                "  validation over ~%.0f recent events: policy value IPS %.4f +- %.4f, SNIPS %.4f"
                        + " +- %.4f; logged mean reward %.4f +- %.4f (95%%)%n",
                v.events(),
                v.ips(),
                Estimate.Z_95 * v.ipsStandardError(),
                v.snips(),
                Estimate.Z_95 * v.snipsStandardError(),
                v.loggedMean(),
                Estimate.Z_95 * v.loggedMeanStandardError());
    }

    /** A snapshot's first line: what it is, its version and counters, when it was made. */
    private static String headline(
            String what, long version, long eventsApplied, long updates, long createdAtMillis) {
        return String.format(
                "%s  version %d  events applied %d  updates %d  created %s%n",
                what,
                version,
                eventsApplied,
                updates,
                java.time.Instant.ofEpochMilli(createdAtMillis));
    }

    /** How many of a ranker's largest weights {@link #describe(RankerSnapshot)} lists. */
    static final int TOP_WEIGHTS = 10;

    static String describe(RankerSnapshot snapshot) {
        RankerSpec spec = snapshot.spec();
        float[] weights = snapshot.weights();
        int nonzero = 0;
        for (float weight : weights) {
            nonzero += weight != 0 ? 1 : 0;
        }
        StringBuilder text = new StringBuilder();
        text.append(
                headline(
                        spec.id() + " (ranker)",
                        snapshot.version(),
                        snapshot.eventsApplied(),
                        snapshot.updates(),
                        snapshot.createdAtMillis()));
        text.append(
                String.format(
                        "  2^%d weights (%d nonzero), seed %d, interactions %s, at most %d"
                                + " candidates of %d features%n",
                        spec.bits(),
                        nonzero,
                        spec.seed(),
                        spec.interactions().isEmpty() ? "none" : spec.interactions(),
                        spec.maxCandidates(),
                        spec.maxFeatures()));
        if (snapshot.hasStatistics()) {
            text.append(statistics(snapshot.trainingStatistics()));
        }
        text.append("  largest weights (index: value):");
        for (int index : largest(weights, TOP_WEIGHTS)) {
            text.append(String.format(" %d: %.4f", index, weights[index]));
        }
        return text.toString();
    }

    /**
     * The weights of {@code features} in {@code snapshot}, one line each: a ranker's weights are
     * hashed, so their names are those its user knows.
     */
    static String namedWeights(RankerSnapshot snapshot, java.util.List<FeatureName> features) {
        StringBuilder text = new StringBuilder();
        for (FeatureName feature : features) {
            int index = feature.index(snapshot.spec());
            text.append(
                    String.format(
                            "  %s: %.4f (index %d)%n", feature, snapshot.weights()[index], index));
        }
        return text.toString();
    }

    /** The indices of the {@code count} weights of largest magnitude, largest first. */
    static int[] largest(float[] weights, int count) {
        return java.util.stream.IntStream.range(0, weights.length)
                .filter(j -> weights[j] != 0)
                .boxed()
                .sorted((a, b) -> Float.compare(Math.abs(weights[b]), Math.abs(weights[a])))
                .limit(count)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    static String toJson(RankerSnapshot snapshot) throws IOException {
        RankerSpec spec = snapshot.spec();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("policyId", spec.id());
            json.writeStringField("kind", "ranker");
            json.writeNumberField("version", snapshot.version());
            json.writeNumberField("eventsApplied", snapshot.eventsApplied());
            json.writeNumberField("updates", snapshot.updates());
            json.writeNumberField("createdAt", snapshot.createdAtMillis());
            json.writeStringField("eventDigest", Long.toUnsignedString(snapshot.eventDigest()));
            json.writeNumberField("bits", spec.bits());
            json.writeNumberField("seed", spec.seed());
            json.writeArrayFieldStart("interactions");
            for (var interaction : spec.interactions()) {
                json.writeString(interaction.toString());
            }
            json.writeEndArray();
            json.writeNumberField("maxCandidates", spec.maxCandidates());
            json.writeNumberField("maxFeatures", spec.maxFeatures());
            if (snapshot.hasStatistics()) {
                writeStatistics(json, snapshot.trainingStatistics());
            }
            // The nonzero weights by index: a ranker's weights are sparse.
            json.writeObjectFieldStart("weights");
            float[] weights = snapshot.weights();
            for (int j = 0; j < weights.length; j++) {
                if (weights[j] != 0) {
                    json.writeNumberField(Integer.toString(j), weights[j]);
                }
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The latest batch's line and the validation line of a snapshot's statistics. */
    static String statistics(TrainingStatistics s) {
        return String.format(
                        "  latest batch: %d events, mean reward %.4f, mean advantage"
                                + " %.4f, entropy %.4f, importance weight mean %.3f max %.3f, ESS %.1f,"
                                + " capped %d, gradient norm %.4f, staleness %.2f; rejected batches %d%n",
                        (long) s.batchSize(),
                        s.meanReward(),
                        s.meanAdvantage(),
                        s.meanEntropy(),
                        s.meanImportanceWeight(),
                        s.maxImportanceWeight(),
                        s.effectiveSampleSize(),
                        (long) s.cappedWeights(),
                        s.gradientNorm(),
                        s.meanStaleness(),
                        (long) s.rejectedBatches())
                + validation(s.validation());
    }

    static String describe(ParameterSnapshot snapshot) {
        PolicySpec spec = snapshot.spec();
        TrainingStatistics s = snapshot.statistics();
        StringBuilder text = new StringBuilder();
        text.append(
                headline(
                        spec.toString(),
                        snapshot.version(),
                        snapshot.eventsApplied(),
                        snapshot.updates(),
                        snapshot.createdAtMillis()));
        text.append(statistics(s));
        float[] values = snapshot.parameters();
        for (int h = 0; h < spec.headCount(); h++) {
            double norm = 0;
            double maxAbs = 0;
            int start = spec.weightOffset(h);
            int end = spec.biasOffset(h);
            for (int k = start; k < end; k++) {
                norm += values[k] * values[k];
                maxAbs = Math.max(maxAbs, Math.abs(values[k]));
            }
            int bestBias = 0;
            for (int a = 1; a < spec.actions(h); a++) {
                if (values[end + a] > values[end + bestBias]) {
                    bestBias = a;
                }
            }
            text.append(
                    String.format(
                            "  head %d: %d actions, |W| %.4f, max |w| %.4f, largest"
                                    + " bias: action %d (%.4f)%n",
                            h,
                            spec.actions(h),
                            Math.sqrt(norm),
                            maxAbs,
                            bestBias,
                            values[end + bestBias]));
        }
        return text.toString().stripTrailing();
    }

    static String toJson(ParameterSnapshot snapshot) throws IOException {
        PolicySpec spec = snapshot.spec();
        float[] values = snapshot.parameters();
        StringWriter out = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("policyId", spec.id());
            json.writeNumberField("version", snapshot.version());
            json.writeNumberField("eventsApplied", snapshot.eventsApplied());
            json.writeNumberField("updates", snapshot.updates());
            json.writeNumberField("createdAt", snapshot.createdAtMillis());
            json.writeNumberField("features", spec.features());
            json.writeStringField("eventDigest", Long.toUnsignedString(snapshot.eventDigest()));
            json.writeArrayFieldStart("heads");
            for (int h = 0; h < spec.headCount(); h++) {
                json.writeStartObject();
                json.writeNumberField("actions", spec.actions(h));
                json.writeArrayFieldStart("weights");
                for (int a = 0; a < spec.actions(h); a++) {
                    json.writeStartArray();
                    for (int j = 0; j < spec.features(); j++) {
                        json.writeNumber(values[spec.weightOffset(h) + a * spec.features() + j]);
                    }
                    json.writeEndArray();
                }
                json.writeEndArray();
                json.writeArrayFieldStart("bias");
                for (int a = 0; a < spec.actions(h); a++) {
                    json.writeNumber(values[spec.biasOffset(h) + a]);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            writeStatistics(json, snapshot.statistics());
            json.writeEndObject();
        }
        return out.toString();
    }

    /** The {@code statistics} object of a snapshot's JSON. */
    private static void writeStatistics(JsonGenerator json, TrainingStatistics s)
            throws IOException {
        json.writeObjectFieldStart("statistics");
        json.writeNumberField("batchSize", s.batchSize());
        json.writeNumberField("meanReward", s.meanReward());
        json.writeNumberField("meanAdvantage", s.meanAdvantage());
        json.writeNumberField("meanEntropy", s.meanEntropy());
        json.writeNumberField("meanImportanceWeight", s.meanImportanceWeight());
        json.writeNumberField("maxImportanceWeight", s.maxImportanceWeight());
        json.writeNumberField("effectiveSampleSize", s.effectiveSampleSize());
        json.writeNumberField("cappedWeights", s.cappedWeights());
        json.writeNumberField("gradientNorm", s.gradientNorm());
        json.writeNumberField("meanStaleness", s.meanStaleness());
        json.writeNumberField("rejectedBatches", s.rejectedBatches());
        ValidationStatistics v = s.validation();
        if (v.isPresent()) {
            json.writeObjectFieldStart("validation");
            json.writeNumberField("events", v.events());
            json.writeNumberField("ips", v.ips());
            json.writeNumberField("ipsStandardError", v.ipsStandardError());
            json.writeNumberField("snips", v.snips());
            json.writeNumberField("snipsStandardError", v.snipsStandardError());
            json.writeNumberField("loggedMean", v.loggedMean());
            json.writeNumberField("loggedMeanStandardError", v.loggedMeanStandardError());
            json.writeEndObject();
        }
        json.writeEndObject();
    }
}
