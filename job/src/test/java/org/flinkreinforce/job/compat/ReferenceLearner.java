package org.flinkreinforce.job.compat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.flinkreinforce.connectors.event.PolicyEvent;
import org.flinkreinforce.connectors.event.PolicyEventSerializer;
import org.flinkreinforce.formats.snapshot.EventDigest;
import org.flinkreinforce.job.PolicySettings;
import org.flinkreinforce.model.MicroBatch;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ReinforceEstimator;
import org.flinkreinforce.model.baseline.BaselineState;
import org.flinkreinforce.model.baseline.RunningBaseline;
import org.flinkreinforce.model.kernel.GradientKernels;
import org.flinkreinforce.model.kernel.KernelChoice;
import org.flinkreinforce.model.optim.Optimizer;
import org.flinkreinforce.model.optim.OptimizerState;
import org.flinkreinforce.model.optim.UpdateResult;

/**
 * One policy's learner in plain Java, event by event as the job learns it: the keyed running
 * baselines (advantage before the reward is folded in), a micro-batch of {@code batch.size} events,
 * the estimator and the optimizer. It holds what the job keeps in keyed state for the policy, and
 * writes and reads that state as properties, so a savepoint's expected content can be recorded next
 * to it and a restored job checked against it.
 */
final class ReferenceLearner {

    private final PolicySettings settings;
    private final RunningBaseline baseline;
    private final ReinforceEstimator estimator;
    private final Optimizer optimizer;
    private final MicroBatch batch;
    private final float[] gradient;

    float[] parameters;
    OptimizerState optimizerState;
    long version;
    long updates;
    long eventsApplied;
    long eventDigest;

    /** Running baselines by baseline key. */
    final Map<String, BaselineState> baselines = new TreeMap<>();

    /** The pending micro-batch, each event with its advantage. */
    final List<PolicyEvent> buffered = new ArrayList<>();

    /** A learner at the uniform policy, with no event seen. */
    ReferenceLearner(PolicySettings settings, KernelChoice kernel) {
        this.settings = settings;
        this.baseline = new RunningBaseline(settings.baseline());
        int size = settings.spec().parameterCount();
        this.estimator =
                new ReinforceEstimator(
                        settings.spec(),
                        settings.batchSize(),
                        settings.estimator(),
                        GradientKernels.create(kernel));
        this.optimizer = new Optimizer(settings.optimizer(), size);
        this.batch = new MicroBatch(settings.spec(), settings.batchSize());
        this.gradient = new float[size];
        this.parameters = new float[size];
        this.optimizerState = optimizer.newState();
    }

    PolicySpec spec() {
        return settings.spec();
    }

    /** Stamps {@code event} with its advantage, buffers it, and learns the batch once full. */
    void accept(PolicyEvent event) {
        BaselineState state =
                baselines.computeIfAbsent(event.baselineKey, k -> new BaselineState());
        PolicyEvent stamped = PolicyEventSerializer.INSTANCE.copy(event);
        stamped.advantage = baseline.advantageThenUpdate(state, event.reward);
        buffered.add(stamped);
        if (buffered.size() == settings.batchSize()) {
            flush();
        }
    }

    /** Learns the buffered events as one batch, as the job does when a batch is full or due. */
    void flush() {
        if (buffered.isEmpty()) {
            return;
        }
        batch.clear();
        for (PolicyEvent event : buffered) {
            event.addTo(batch);
        }
        estimator.estimate(
                new PolicyParameters(settings.spec(), parameters, version), batch, gradient);
        UpdateResult result = optimizer.ascend(parameters, gradient, optimizerState);
        if (!result.applied()) {
            throw new IllegalStateException(
                    "The reference rejected a batch of policy "
                            + settings.spec().id()
                            + ": "
                            + result.rejection());
        }
        version++;
        updates++;
        eventsApplied += buffered.size();
        for (PolicyEvent event : buffered) {
            eventDigest = EventDigest.add(eventDigest, event.eventId);
        }
        buffered.clear();
    }

    /** Writes the state under {@code policy.<id>.}. */
    void write(Properties out) {
        String prefix = prefix(settings.spec().id());
        out.setProperty(prefix + "version", Long.toString(version));
        out.setProperty(prefix + "updates", Long.toString(updates));
        out.setProperty(prefix + "events-applied", Long.toString(eventsApplied));
        out.setProperty(prefix + "event-digest", Long.toString(eventDigest));
        out.setProperty(prefix + "parameters", floats(parameters));
        out.setProperty(prefix + "optimizer.first-moment", floats(optimizerState.first));
        out.setProperty(prefix + "optimizer.second-moment", floats(optimizerState.second));
        out.setProperty(prefix + "optimizer.steps", Long.toString(optimizerState.steps));
        out.setProperty(prefix + "baseline-keys", String.join(",", baselines.keySet()));
        baselines.forEach(
                (key, state) ->
                        out.setProperty(
                                prefix + "baseline." + key,
                                state.count + "," + state.mean + "," + state.m2));
        out.setProperty(prefix + "buffered", Integer.toString(buffered.size()));
        for (int k = 0; k < buffered.size(); k++) {
            PolicyEvent event = buffered.get(k);
            String at = prefix + "buffered." + k + ".";
            out.setProperty(at + "event-id", event.eventId);
            out.setProperty(at + "baseline-key", event.baselineKey);
            out.setProperty(at + "features", floats(event.features));
            out.setProperty(at + "actions", ints(event.actions));
            out.setProperty(at + "reward", Double.toString(event.reward));
            out.setProperty(at + "propensity", Float.toString((float) event.propensity));
            out.setProperty(at + "policy-version", Long.toString(event.policyVersion));
            out.setProperty(at + "timestamp", Long.toString(event.timestamp));
            out.setProperty(at + "advantage", Double.toString(event.advantage));
        }
    }

    /** The learner whose state {@link #write} recorded. */
    static ReferenceLearner read(PolicySettings settings, KernelChoice kernel, Properties in) {
        ReferenceLearner learner = new ReferenceLearner(settings, kernel);
        String id = settings.spec().id();
        String prefix = prefix(id);
        learner.version = Long.parseLong(required(in, prefix + "version"));
        learner.updates = Long.parseLong(required(in, prefix + "updates"));
        learner.eventsApplied = Long.parseLong(required(in, prefix + "events-applied"));
        learner.eventDigest = Long.parseLong(required(in, prefix + "event-digest"));
        learner.parameters = floats(required(in, prefix + "parameters"));
        learner.optimizerState =
                new OptimizerState(
                        floats(required(in, prefix + "optimizer.first-moment")),
                        floats(required(in, prefix + "optimizer.second-moment")),
                        Long.parseLong(required(in, prefix + "optimizer.steps")));
        for (String key : required(in, prefix + "baseline-keys").split(",")) {
            String[] values = required(in, prefix + "baseline." + key).split(",");
            learner.baselines.put(
                    key,
                    new BaselineState(
                            Long.parseLong(values[0]),
                            Double.parseDouble(values[1]),
                            Double.parseDouble(values[2])));
        }
        int buffered = Integer.parseInt(required(in, prefix + "buffered"));
        for (int k = 0; k < buffered; k++) {
            String at = prefix + "buffered." + k + ".";
            PolicyEvent event =
                    new PolicyEvent(
                            id,
                            floats(required(in, at + "features")),
                            ints(required(in, at + "actions")),
                            Double.parseDouble(required(in, at + "reward")),
                            Float.parseFloat(required(in, at + "propensity")),
                            Long.parseLong(required(in, at + "policy-version")),
                            required(in, at + "baseline-key"),
                            required(in, at + "event-id"),
                            Long.parseLong(required(in, at + "timestamp")));
            event.advantage = Double.parseDouble(required(in, at + "advantage"));
            learner.buffered.add(event);
        }
        return learner;
    }

    private static String prefix(String policyId) {
        return "policy." + policyId + ".";
    }

    private static String required(Properties in, String key) {
        String value = in.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("The recorded state has no " + key + ".");
        }
        return value;
    }

    /** Float.toString writes a decimal that reads back to the same float. */
    private static String floats(float[] values) {
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < values.length; k++) {
            text.append(k == 0 ? "" : ",").append(values[k]);
        }
        return text.toString();
    }

    private static float[] floats(String text) {
        if (text.isEmpty()) {
            return new float[0];
        }
        String[] parts = text.split(",");
        float[] values = new float[parts.length];
        for (int k = 0; k < parts.length; k++) {
            values[k] = Float.parseFloat(parts[k]);
        }
        return values;
    }

    private static String ints(int[] values) {
        return Arrays.toString(values).replaceAll("[\\[\\] ]", "");
    }

    private static int[] ints(String text) {
        return Arrays.stream(text.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
