package org.flinkreinforce.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.flinkreinforce.client.kafka.SnapshotReader;
import org.flinkreinforce.formats.ranker.Candidate;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.SoftmaxPolicy;
import org.flinkreinforce.model.ranker.FeatureHasher;
import org.flinkreinforce.model.ranker.Features;
import org.flinkreinforce.model.ranker.HashedFeatures;
import org.flinkreinforce.model.ranker.RankerPolicy;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side an application embeds: it follows the parameters topic ({@code read_committed})
 * on a background thread, keeps the newest snapshot of each policy (never going back to an older
 * version), and samples decisions with their propensity, the policy version and a fresh event id.
 * Thread-safe.
 *
 * <p>Where the broker cannot be reached (not up yet, restarting, a network fault) the background
 * thread retries, with a backoff doubling from 100 ms to 5 s, for as long as the client is open;
 * only an authentication or authorization error stops it for good. {@link #health} says which:
 * {@link State#FOLLOWING}, {@link State#RETRYING} with the cause, or {@link State#FAILED}. Until it
 * follows, {@link #decide} serves what it has: a registered spec's uniform policy, or the last
 * snapshot read.
 *
 * <p>A policy with no published snapshot yet can be given a spec with {@link #register}: it then
 * acts uniformly at random (all-zero parameters, version 0) until the first snapshot arrives. The
 * registered spec is pinned: a snapshot of another shape (features, heads or their actions) is
 * refused, logged and counted ({@link #refusedSnapshots}), and the policy keeps deciding with its
 * last good parameters, so that it never returns actions of another action space. A snapshot older
 * than the one kept (a stale writer) is skipped, logged and counted ({@link #staleSnapshots}).
 */
public final class PolicyClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyClient.class);

    /** One decision, to act on and then log with its reward through {@link EventLogger}. */
    public record Decision(
            String policyId,
            String eventId,
            float[] features,
            int[] actions,
            double propensity,
            long policyVersion) {}

    /**
     * One ranking of a ranker policy's candidates, sampled from the policy (Plackett-Luce): show
     * {@code candidates.get(chosen())} (or the list in {@code order()}), then log it with its
     * reward through {@link EventLogger#logRanking} or {@link EventLogger#logRankingDecision}.
     *
     * @param order every candidate's index, the sampled ranking; {@code order[0] == chosen}
     * @param propensity the probability the policy gave {@code chosen} (the first place)
     * @param spec the ranker's spec, so that a binary logger hashes with its seed
     */
    public record Ranking(
            String policyId,
            String eventId,
            Features shared,
            List<Candidate> candidates,
            int chosen,
            int[] order,
            double propensity,
            long policyVersion,
            RankerSpec spec) {}

    /** Where the client stands with the parameters topic. */
    public enum State {
        /** Reading the topic up to its end as it was at start, not yet there. */
        STARTING,
        /** Caught up, reading new snapshots as they come. */
        FOLLOWING,
        /** The last attempt to read failed on an error that may pass; trying again. */
        RETRYING,
        /** Stopped for good: authentication or authorization failed (see the cause). */
        FAILED,
        CLOSED
    }

    /**
     * The client's state, the error behind it ({@code null} while starting or following) and how
     * many times it has retried since it was created.
     */
    public record Health(State state, Throwable cause, long retries) {}

    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, PolicyParameters> policies = new ConcurrentHashMap<>();
    private final Map<String, ParameterSnapshot> snapshots = new ConcurrentHashMap<>();
    private final Thread poller;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final List<Consumer<ParameterSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, PolicySpec> registered = new ConcurrentHashMap<>();
    private final ThreadLocal<double[]> scratch = ThreadLocal.withInitial(() -> new double[0]);
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final boolean registeredOnly;
    private final RankerPolicies rankers = new RankerPolicies(refused, stale);
    private volatile boolean closed;
    private volatile RuntimeException failure;
    private volatile Health health = new Health(State.STARTING, null, 0);

    /**
     * Starts following {@code topic}, keeping the newest snapshot of every policy on it.
     *
     * @param clientProperties Kafka consumer properties, at least {@code bootstrap.servers}
     */
    public PolicyClient(Properties clientProperties, String topic) {
        this(clientProperties, topic, null);
    }

    /**
     * A client of {@code policies} only, registered ({@link #register}) before it reads anything:
     * the snapshots of the topic's other policies are skipped, not kept, so that an application
     * serving a few policies of a topic of many holds only theirs.
     */
    public static PolicyClient forPolicies(
            Properties clientProperties, String topic, Collection<PolicySpec> policies) {
        return new PolicyClient(clientProperties, topic, List.copyOf(policies));
    }

    private PolicyClient(Properties clientProperties, String topic, List<PolicySpec> only) {
        this.topic = topic;
        this.registeredOnly = only != null;
        if (only != null) {
            only.forEach(this::pin);
        }
        this.consumer =
                new KafkaConsumer<>(
                        SnapshotReader.consumerProperties(clientProperties),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        this.poller = new Thread(this::follow, "policy-client-" + topic);
        poller.setDaemon(true);
        poller.start();
    }

    /** Where the client stands now. */
    public Health health() {
        return health;
    }

    /**
     * Calls {@code listener} with each snapshot the client keeps (a policy's newer version), on the
     * client's thread: it must return quickly and not throw (what it throws is logged).
     */
    public void onNewVersion(Consumer<ParameterSnapshot> listener) {
        listeners.add(listener);
    }

    /**
     * Pins a policy's spec and lets it act (uniformly) before its first snapshot. Parameters of the
     * same shape already read stay; of another shape, they give way to the uniform policy (logged).
     */
    public void register(PolicySpec spec) {
        synchronized (registered) {
            pin(spec);
        }
    }

    private void pin(PolicySpec spec) {
        registered.put(spec.id(), spec);
        PolicyParameters current =
                policies.computeIfAbsent(spec.id(), id -> PolicyParameters.zeros(spec));
        if (!current.spec().equals(spec)
                && policies.replace(spec.id(), current, PolicyParameters.zeros(spec))) {
            LOG.warn(
                    "Policy {}'s parameters read so far have the shape {}, not the registered {}:"
                            + " it acts uniformly until a snapshot of the registered shape comes.",
                    spec.id(),
                    current.spec(),
                    spec);
        }
    }

    /**
     * Pins a ranker policy's spec and lets it rank (uniformly) before its first snapshot; a
     * snapshot of another spec is refused, as for softmax policies.
     */
    public void register(RankerSpec spec) {
        synchronized (registered) {
            rankers.register(spec);
        }
    }

    /** Calls {@code listener} with each ranker snapshot the client keeps, on its thread. */
    public void onNewRankerVersion(Consumer<RankerSnapshot> listener) {
        rankers.onNewVersion(listener);
    }

    /** The newest snapshot of a ranker policy read (or registered, with zero weights). */
    public Optional<RankerSnapshot> rankerSnapshot(String policyId) {
        return Optional.ofNullable(rankers.current(policyId));
    }

    /**
     * Ranks {@code candidates} for the {@code shared} context with the newest weights of ranker
     * policy {@code policyId}: a ranking sampled from the policy, its first the chosen candidate
     * with its propensity.
     *
     * @throws IllegalStateException if the policy has neither a snapshot nor a registered spec
     * @throws IllegalArgumentException if the candidates or features exceed the policy's limits
     */
    public Ranking rank(
            String policyId, Features shared, List<Candidate> candidates, RandomGenerator random) {
        RankerSnapshot snapshot = rankers.current(policyId);
        if (snapshot == null) {
            throw new IllegalStateException(
                    "No snapshot of ranker policy "
                            + policyId
                            + " has been read and no spec was registered for it.");
        }
        RankerSpec spec = snapshot.spec();
        FeatureHasher hasher = new FeatureHasher(spec.seed());
        HashedFeatures[] hashed = new HashedFeatures[candidates.size()];
        for (int k = 0; k < hashed.length; k++) {
            hashed[k] = hasher.hash(candidates.get(k).features(), new HashedFeatures());
        }
        RankerPolicy policy = new RankerPolicy(spec, snapshot.weights());
        policy.evaluate(hasher.hash(shared, new HashedFeatures()), hashed, hashed.length);
        int[] order = policy.sampleRanking(random);
        return new Ranking(
                policyId,
                UUID.randomUUID().toString(),
                shared,
                List.copyOf(candidates),
                order[0],
                order,
                policy.probability(order[0]),
                snapshot.version(),
                spec);
    }

    /** Snapshots refused because their shape is not their policy's registered spec. */
    public long refusedSnapshots() {
        return refused.get();
    }

    /** Snapshots skipped because a newer version of their policy had been read. */
    public long staleSnapshots() {
        return stale.get();
    }

    /**
     * Waits until the client has read the topic up to where it ended when the client started.
     *
     * @return false if that took longer than {@code timeout} (e.g. the broker is not up yet: the
     *     client goes on retrying)
     * @throws IllegalStateException at once if the client cannot read the topic (e.g. wrong
     *     credentials), with the cause
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp.await(50, TimeUnit.MILLISECONDS)) {
            checkFollowing();
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    /**
     * @throws IllegalStateException if the background reader stopped on an error (e.g. an
     *     authentication failure), naming the cause
     */
    public void checkFollowing() {
        RuntimeException cause = failure;
        if (cause != null) {
            throw new IllegalStateException(
                    "The policy client stopped following " + topic + ": " + cause.getMessage(),
                    cause);
        }
    }

    /** The newest snapshot seen for a policy (its parameters shared, read-only by contract). */
    public Optional<ParameterSnapshot> snapshot(String policyId) {
        return Optional.ofNullable(snapshots.get(policyId));
    }

    /** All newest snapshots seen, by policy id. */
    public Map<String, ParameterSnapshot> snapshots() {
        return Map.copyOf(snapshots);
    }

    /** The events the newest snapshot of a policy has learned from; 0 before its first snapshot. */
    public long eventsApplied(String policyId) {
        ParameterSnapshot snapshot = snapshots.get(policyId);
        if (snapshot == null) {
            RankerSnapshot ranker = rankers.current(policyId);
            return ranker == null ? 0 : ranker.eventsApplied();
        }
        return snapshot.eventsApplied();
    }

    /**
     * Waits until the newest snapshot of a policy has learned from at least {@code count} events.
     *
     * @return false if that took longer than {@code timeout}
     * @throws IllegalStateException at once if the client cannot read the topic, with the cause
     */
    public boolean awaitEventsApplied(String policyId, long count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (eventsApplied(policyId) < count) {
            checkFollowing();
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** The version the client would decide with now, or -1 if the policy is unknown. */
    public long version(String policyId) {
        PolicyParameters parameters = policies.get(policyId);
        if (parameters == null) {
            RankerSnapshot ranker = rankers.current(policyId);
            return ranker == null ? -1 : ranker.version();
        }
        return parameters.version();
    }

    /** The current parameters of a policy (shared, read-only by contract). */
    public Optional<PolicyParameters> parameters(String policyId) {
        return Optional.ofNullable(policies.get(policyId));
    }

    /**
     * Samples one action per head for {@code features} under the newest parameters.
     *
     * @throws IllegalStateException if the policy has neither a snapshot nor a registered spec
     */
    public Decision decide(String policyId, float[] features, RandomGenerator random) {
        PolicyParameters parameters = policies.get(policyId);
        if (parameters == null) {
            throw new IllegalStateException(
                    "No snapshot of policy "
                            + policyId
                            + " has been read and no spec was"
                            + " registered for it.");
        }
        double[] work = scratch.get();
        if (work.length < parameters.spec().maxActions()) {
            work = new double[parameters.spec().maxActions()];
            scratch.set(work);
        }
        SoftmaxPolicy.Decision decision =
                new SoftmaxPolicy(parameters, work).sample(features, random);
        return new Decision(
                policyId,
                UUID.randomUUID().toString(),
                features.clone(),
                decision.actions(),
                decision.propensity(),
                decision.policyVersion());
    }

    /**
     * Reads the topic until closed: an attempt runs from finding its partitions to polling; one
     * that fails on an error other than authentication or authorization is retried after a backoff.
     */
    private void follow() {
        long backoff = FIRST_BACKOFF.toMillis();
        long retries = 0;
        try {
            while (!closed) {
                try {
                    readUntilClosed();
                    return;
                } catch (AuthenticationException | AuthorizationException e) {
                    fail(e, retries);
                    return;
                } catch (KafkaException e) {
                    if (closed || e instanceof WakeupException) {
                        return;
                    }
                    retries++;
                    health = new Health(State.RETRYING, e, retries);
                    LOG.warn(
                            "The policy client could not read {} (retry {} in {} ms): {}",
                            topic,
                            retries,
                            backoff,
                            e.toString());
                    if (closing.await(backoff, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                    backoff = Math.min(2 * backoff, MAX_BACKOFF.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!closed) {
                fail(e, retries);
            }
        } finally {
            health = closed ? new Health(State.CLOSED, null, health.retries()) : health;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void fail(RuntimeException e, long retries) {
        failure = e;
        health = new Health(State.FAILED, e, retries);
        LOG.error("The policy client stopped following {}.", topic, e);
    }

    /** One attempt: the topic from its beginning, then new records until closed. */
    private void readUntilClosed() {
        List<TopicPartition> partitions = awaitPartitions();
        if (partitions == null) {
            return;
        }
        if (!consumer.assignment().containsAll(partitions)) {
            // The first attempt, or the topic grew: read from the beginning. A retry goes on from
            // where the last attempt stopped.
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        boolean following = false;
        while (!closed) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                accept(record);
            }
            if (!following && reached(end)) {
                following = true;
                health = new Health(State.FOLLOWING, null, health.retries());
                caughtUp.countDown();
            }
        }
    }

    private List<TopicPartition> awaitPartitions() {
        while (!closed) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
                return partitions;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private void accept(ConsumerRecord<byte[], byte[]> record) {
        if (RankerSnapshotCodec.isRankerSnapshot(record.value())) {
            RankerSnapshot ranker = SnapshotReader.decodeRanker(record);
            if (ranker != null) {
                synchronized (registered) {
                    rankers.keep(ranker, registeredOnly);
                }
            }
            return;
        }
        ParameterSnapshot snapshot = SnapshotReader.decode(record);
        if (snapshot == null) {
            return;
        }
        synchronized (registered) {
            keep(snapshot);
        }
    }

    /** Keeps {@code snapshot} unless its shape is not the registered one or it is not newer. */
    private void keep(ParameterSnapshot snapshot) {
        String id = snapshot.policyId();
        PolicySpec pinned = registered.get(id);
        if (pinned == null && registeredOnly) {
            return;
        }
        if (pinned != null && !pinned.equals(snapshot.spec())) {
            refused.incrementAndGet();
            LOG.warn(
                    "Refusing version {} of policy {}: its shape {} is not the registered {}; it"
                            + " goes on with version {}.",
                    snapshot.version(),
                    id,
                    snapshot.spec(),
                    pinned,
                    version(id));
            return;
        }
        // Only this thread writes the snapshots, and register() waits: the check-then-put cannot
        // race.
        ParameterSnapshot current = snapshots.get(id);
        if (current != null && snapshot.version() <= current.version()) {
            if (snapshot.version() < current.version()) {
                stale.incrementAndGet();
                LOG.warn(
                        "Skipping version {} of policy {}: version {} was read before it.",
                        snapshot.version(),
                        id,
                        current.version());
            }
            return;
        }
        snapshots.put(id, snapshot);
        // One copy of the parameters: the snapshot's, shared (both read-only by contract).
        policies.put(
                id,
                new PolicyParameters(snapshot.spec(), snapshot.parameters(), snapshot.version()));
        for (Consumer<ParameterSnapshot> listener : listeners) {
            try {
                listener.accept(snapshot);
            } catch (RuntimeException e) {
                LOG.warn("A listener of new versions of {} threw.", id, e);
            }
        }
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> entry : end.entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        closing.countDown();
        consumer.wakeup();
        poller.join(10_000);
    }
}
