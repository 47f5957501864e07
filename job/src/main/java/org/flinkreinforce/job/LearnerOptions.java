package org.flinkreinforce.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.flinkreinforce.model.EstimatorSettings;

/**
 * Every setting of the learner job, with its default and description. The configuration table is
 * generated from this class ({@code ConfigurationDocsTest} checks they agree).
 *
 * <p>Options marked per-policy may be overridden for one policy with the prefix {@code
 * policy.<id>.}, e.g. {@code policy.recs.learning-rate: 0.01}. Kafka client properties (security
 * included) are not options: they pass through unchanged by their own names.
 */
public final class LearnerOptions {

    private LearnerOptions() {}

    /** The prefix of per-policy overrides. */
    public static final String POLICY_PREFIX = "policy.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("bootstrap.servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("The Kafka brokers to read events from and write to.");

    public static final ConfigOption<String> EVENTS_TOPIC =
            ConfigOptions.key("events.topic")
                    .stringType()
                    .defaultValue("reinforce-events")
                    .withDescription("The topic of action/reward events (JSON v1 or binary v1).");

    public static final ConfigOption<String> PARAMETERS_TOPIC =
            ConfigOptions.key("parameters.topic")
                    .stringType()
                    .defaultValue("reinforce-parameters")
                    .withDescription(
                            "The compacted topic the versioned parameter snapshots are published"
                                    + " to, keyed by policy id.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("dead-letter.topic")
                    .stringType()
                    .defaultValue("reinforce-dead-letters")
                    .withDescription("The topic rejected records go to, each with its reason.");

    public static final ConfigOption<String> CONTROL_TOPIC =
            ConfigOptions.key("control.topic")
                    .stringType()
                    .defaultValue("reinforce-control")
                    .withDescription(
                            "The compacted policy control topic (one partition, keyed by policy"
                                    + " id): the definitions of the policies, which the job follows"
                                    + " while it runs. The policies option seeds it at start;"
                                    + " reinforce policy add|update|remove|rollback write to it.");

    public static final ConfigOption<Boolean> JOIN_REWARDS =
            ConfigOptions.key("rewards.join")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Also read decisions (decisions.topic) and their rewards"
                                    + " (rewards.topic), logged apart, and join them by event id"
                                    + " (reward.* options) into events beside those of"
                                    + " events.topic.");

    public static final ConfigOption<String> DECISIONS_TOPIC =
            ConfigOptions.key("decisions.topic")
                    .stringType()
                    .defaultValue("reinforce-decisions")
                    .withDescription(
                            "The topic of decisions logged without their reward (JSON v1 or"
                                    + " binary v1), read where rewards.join is set.");

    public static final ConfigOption<String> REWARDS_TOPIC =
            ConfigOptions.key("rewards.topic")
                    .stringType()
                    .defaultValue("reinforce-rewards")
                    .withDescription(
                            "The topic of rewards that name their decision's event id (JSON v1"
                                    + " or binary v1), read where rewards.join is set.");

    public static final ConfigOption<Duration> REWARD_WAIT =
            ConfigOptions.key("reward.wait")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Per-policy. How long after its time a decision waits for its"
                                    + " rewards; then it is learned from with what came. A change"
                                    + " on the control topic applies to the decisions the join"
                                    + " reads after it.");

    public static final ConfigOption<Duration> REWARD_EARLY_WINDOW =
            ConfigOptions.key("reward.early-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "How long before its decision a reward may be timed and still count"
                                    + " (clocks of different machines disagree).");

    public static final ConfigOption<String> REWARD_AGGREGATION =
            ConfigOptions.key("reward.aggregation")
                    .stringType()
                    .defaultValue("earliest")
                    .withDescription(
                            "How several rewards of one decision make its reward: earliest,"
                                    + " latest (by timestamp), sum, mean, min or max.");

    public static final ConfigOption<Double> REWARD_DEFAULT =
            ConfigOptions.key("reward.default")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "The reward of a decision that got none within its wait (where"
                                    + " reward.unrewarded is default).");

    public static final ConfigOption<String> REWARD_UNREWARDED =
            ConfigOptions.key("reward.unrewarded")
                    .stringType()
                    .defaultValue("default")
                    .withDescription(
                            "What becomes of a decision that got no reward within its wait:"
                                    + " default (learned from with reward.default) or drop"
                                    + " (counted, not learned from).");

    public static final ConfigOption<String> REWARD_TIME =
            ConfigOptions.key("reward.time")
                    .stringType()
                    .defaultValue("event")
                    .withDescription(
                            "The join's time: event (the records' timestamps; windows close on"
                                    + " watermarks, so a replayed history joins as it did live, at"
                                    + " full speed) or processing (the learner's clock, records"
                                    + " timed by their arrival: for applications whose clocks"
                                    + " cannot be trusted).");

    public static final ConfigOption<Duration> REWARD_OUT_OF_ORDERNESS =
            ConfigOptions.key("reward.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "In event time, how far a decision or reward may arrive behind a"
                                    + " later-timed one of its topic: the watermarks trail the"
                                    + " largest timestamp by this much.");

    public static final ConfigOption<Duration> REWARD_IDLE_TIMEOUT =
            ConfigOptions.key("reward.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "In event time, a partition of the decisions or rewards topic without"
                                    + " records for this long no longer holds the watermarks"
                                    + " back.");

    public static final ConfigOption<Duration> REWARD_READ_AHEAD =
            ConfigOptions.key("reward.read-ahead")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "In event time, how far a reader of the decisions and rewards topics"
                                    + " reads one of its partitions ahead of the slowest one it"
                                    + " still reads records from, by the records' timestamps: a"
                                    + " partition further ahead waits until that one is within"
                                    + " half of this. Bounds the join's state in a replay, where"
                                    + " the small rewards would otherwise be read hours ahead of"
                                    + " their decisions; 0: not aligned.");

    public static final ConfigOption<Duration> REWARD_ALIGNMENT_DRIFT =
            ConfigOptions.key("reward.alignment-drift")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "In event time, how far the decisions and the rewards sources may read"
                                    + " ahead of each other's watermark (Flink's watermark"
                                    + " alignment), bounding the join's state in a replay; 0: not"
                                    + " aligned (the default: in Flink 2.2.1 a split paused by"
                                    + " alignment can stay paused when also idle, FLINK-40093).");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("group.id")
                    .stringType()
                    .defaultValue("reinforce-learner")
                    .withDescription(
                            "The consumer group of the events source; offsets are committed on"
                                    + " checkpoints, for monitoring.");

    public static final ConfigOption<Boolean> CREATE_TOPICS =
            ConfigOptions.key("topics.create")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Create missing topics at start-up: the events topic with"
                                    + " topics.event-partitions partitions, the dead-letter topic,"
                                    + " and the parameters topic compacted and sized for the"
                                    + " largest snapshot.");

    public static final ConfigOption<Integer> EVENT_PARTITIONS =
            ConfigOptions.key("topics.event-partitions")
                    .intType()
                    .defaultValue(2)
                    .withDescription("Partitions of the events topic when it is created.");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            ConfigOptions.key("starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED_OR_EARLIEST)
                    .withDescription(
                            "Where a learner without a checkpoint starts reading: the group's"
                                    + " committed offsets, else the earliest (so no logged event"
                                    + " is lost); or always the earliest; or the latest.");

    public static final ConfigOption<List<String>> POLICIES =
            ConfigOptions.key("policies")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "The policies to learn, each ID:FEATURES:ACTIONS[,ACTIONS...], e.g."
                                    + " recs:32:10;nas:0:6,6,4,4 (separated by ';').");

    public static final ConfigOption<List<String>> RANKERS =
            ConfigOptions.key("rankers")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "The ranker policies to learn, each ID or ID:BITS (2^BITS hashed"
                                    + " weights, default 18), e.g. shop:20;news (separated by"
                                    + " ';'): a decision is one of the candidates its event"
                                    + " carries (docs/wire-formats.md). The ranker.* options,"
                                    + " batch.size, batch.timeout, publish.interval,"
                                    + " importance-weight.cap, estimator,"
                                    + " reward-model.learning-rate, validation.window and"
                                    + " reward.wait apply, each also as policy.<id>.<option>."
                                    + " Like the policies option, it seeds the control topic at"
                                    + " start; reinforce policy add --kind ranker adds one"
                                    + " while the job runs.");

    public static final ConfigOption<String> RANKER_INTERACTIONS =
            ConfigOptions.key("ranker.interactions")
                    .stringType()
                    .defaultValue("*:*")
                    .withDescription(
                            "The crosses of a ranker's shared namespaces with its candidates',"
                                    + " SHARED:CANDIDATE separated by ',', * for any namespace;"
                                    + " empty for none (the shared context then has no effect).");

    public static final ConfigOption<Integer> RANKER_SEED =
            ConfigOptions.key("ranker.seed")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "A ranker's feature-hashing seed: applications that hash their"
                                    + " features (binary records) use the seed of the policy's"
                                    + " snapshot.");

    public static final ConfigOption<Integer> RANKER_MAX_CANDIDATES =
            ConfigOptions.key("ranker.max-candidates")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "The most candidates of a ranker's decision; more are"
                                    + " dead-lettered as CANDIDATE_COUNT.");

    public static final ConfigOption<Integer> RANKER_MAX_FEATURES =
            ConfigOptions.key("ranker.max-features")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "The most features of a ranker decision's shared context and of each"
                                    + " candidate; more are dead-lettered as FEATURE_COUNT.");

    public static final ConfigOption<Double> RANKER_LEARNING_RATE =
            ConfigOptions.key("ranker.learning-rate")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription(
                            "A ranker's AdaGrad step size (per weight: lr g / sqrt(sum of g^2)).");

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("batch.size")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Per-policy. Events per micro-batch: a batch is flushed when it has"
                                    + " this many events or batch.timeout after its first event.");

    public static final ConfigOption<Duration> BATCH_TIMEOUT =
            ConfigOptions.key("batch.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription(
                            "Per-policy. The longest an event waits (processing time) before its"
                                    + " micro-batch is flushed.");

    public static final ConfigOption<Integer> PUBLISH_EVERY_UPDATES =
            ConfigOptions.key("publish.every-updates")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Per-policy. Publish a snapshot after this many parameter updates.");

    public static final ConfigOption<Duration> PUBLISH_INTERVAL =
            ConfigOptions.key("publish.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "Per-policy. Publish a snapshot at least this often while there are"
                                    + " unpublished updates. Snapshots become visible to"
                                    + " read_committed consumers when the checkpoint after them"
                                    + " completes.");

    public static final ConfigOption<String> OPTIMIZER =
            ConfigOptions.key("optimizer")
                    .stringType()
                    .defaultValue("adam")
                    .withDescription("Per-policy. The update rule: sgd or adam (gradient ascent).");

    public static final ConfigOption<Double> LEARNING_RATE =
            ConfigOptions.key("learning-rate")
                    .doubleType()
                    .defaultValue(0.1)
                    .withDescription("Per-policy. The optimizer's step size.");

    public static final ConfigOption<String> LEARNING_RATE_SCHEDULE =
            ConfigOptions.key("learning-rate.schedule")
                    .stringType()
                    .defaultValue("inverse-sqrt")
                    .withDescription(
                            "Per-policy. constant, or inverse-sqrt: learning-rate / sqrt(1 + t /"
                                    + " learning-rate.decay-updates) at update t.");

    public static final ConfigOption<Double> LEARNING_RATE_DECAY_UPDATES =
            ConfigOptions.key("learning-rate.decay-updates")
                    .doubleType()
                    .defaultValue(1000.0)
                    .withDescription(
                            "Per-policy. t0 of the inverse-sqrt schedule: the update count at"
                                    + " which the step has fallen by sqrt(2).");

    public static final ConfigOption<String> AVERAGE =
            ConfigOptions.key("average")
                    .stringType()
                    .defaultValue("poly")
                    .withDescription(
                            "Per-policy. What is published: none (the optimizer's iterate), polyak"
                                    + " (the mean of the iterates from update average.start on),"
                                    + " ema (their bias-corrected moving average with decay"
                                    + " average.decay per update) or poly (polynomial-decay"
                                    + " averaging, the weight of iterate n falling as 4/(n+3)"
                                    + " down to 1 - average.decay). The optimizer keeps its own"
                                    + " iterate.");

    public static final ConfigOption<Long> AVERAGE_START =
            ConfigOptions.key("average.start")
                    .longType()
                    .defaultValue(1L)
                    .withDescription(
                            "Per-policy. The first update the polyak average takes in; earlier"
                                    + " iterates are published as they are.");

    public static final ConfigOption<Double> AVERAGE_DECAY =
            ConfigOptions.key("average.decay")
                    .doubleType()
                    .defaultValue(0.999)
                    .withDescription(
                            "Per-policy. The decay of the ema average and the floor 1 - decay of"
                                    + " the poly average's weights, in (0, 1).");

    public static final ConfigOption<Long> VALIDATION_WINDOW =
            ConfigOptions.key("validation.window")
                    .longType()
                    .defaultValue(100_000L)
                    .withDescription(
                            "Per-policy. Progressive validation (IPS, SNIPS and the logged mean"
                                    + " reward of events scored before the update that learns"
                                    + " from them) weighs an event by exp(-k / window) once k"
                                    + " newer events have come; in snapshots, metrics and"
                                    + " inspect.");

    public static final ConfigOption<Double> MOMENTUM =
            ConfigOptions.key("momentum")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription("Per-policy. SGD momentum in [0, 1).");

    public static final ConfigOption<Double> ADAM_BETA1 =
            ConfigOptions.key("adam.beta1")
                    .doubleType()
                    .defaultValue(0.9)
                    .withDescription("Per-policy. Adam's first-moment decay.");

    public static final ConfigOption<Double> ADAM_BETA2 =
            ConfigOptions.key("adam.beta2")
                    .doubleType()
                    .defaultValue(0.999)
                    .withDescription("Per-policy. Adam's second-moment decay.");

    public static final ConfigOption<Double> ADAM_EPSILON =
            ConfigOptions.key("adam.epsilon")
                    .doubleType()
                    .defaultValue(1e-8)
                    .withDescription("Per-policy. Adam's denominator guard.");

    public static final ConfigOption<Double> MAX_GRADIENT_NORM =
            ConfigOptions.key("max-gradient-norm")
                    .doubleType()
                    .defaultValue(10.0)
                    .withDescription(
                            "Per-policy. The global L2 norm gradients are clipped to (Infinity"
                                    + " for none).");

    public static final ConfigOption<Double> L2 =
            ConfigOptions.key("l2")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription("Per-policy. The L2 penalty on the parameters.");

    public static final ConfigOption<String> ESTIMATOR =
            ConfigOptions.key("estimator")
                    .stringType()
                    .defaultValue("doubly-robust")
                    .withDescription(
                            "Per-policy. The policy-gradient estimate: reinforce (w A grad log"
                                    + " pi(a|x)) or doubly-robust (a per-action reward model's"
                                    + " values of every action, or of reward-model.samples drawn"
                                    + " ones, plus the importance-weighted"
                                    + " correction of the logged one; per head). Rankers too: there"
                                    + " the reward model is linear in the hashed features, and"
                                    + " values every candidate.");

    public static final ConfigOption<Double> REWARD_MODEL_LEARNING_RATE =
            ConfigOptions.key("reward-model.learning-rate")
                    .doubleType()
                    .defaultValue(0.1)
                    .withDescription(
                            "Per-policy. AdaGrad's step size for the doubly-robust reward model,"
                                    + " fitted after each batch it served (rankers too).");

    public static final ConfigOption<Integer> REWARD_MODEL_EXACT_ACTIONS =
            ConfigOptions.key("reward-model.exact-actions")
                    .intType()
                    .defaultValue(EstimatorSettings.DEFAULT_EXACT_ACTIONS)
                    .withDescription(
                            "Per-policy. A head with at most this many actions gets the exact"
                                    + " doubly-robust all-action term: the reward model's value of"
                                    + " each action, a matrix product as large as the forward"
                                    + " pass. A head with more gets it from reward-model.samples"
                                    + " actions drawn from the policy.");

    public static final ConfigOption<Integer> REWARD_MODEL_SAMPLES =
            ConfigOptions.key("reward-model.samples")
                    .intType()
                    .defaultValue(EstimatorSettings.DEFAULT_SAMPLED_ACTIONS)
                    .withDescription(
                            "Per-policy. The actions drawn from the policy (systematic sampling)"
                                    + " for the doubly-robust all-action term of a head with more"
                                    + " than reward-model.exact-actions actions: unbiased, this"
                                    + " many rows of the reward model per event instead of all.");

    public static final ConfigOption<Double> IMPORTANCE_WEIGHT_CAP =
            ConfigOptions.key("importance-weight.cap")
                    .doubleType()
                    .defaultValue(10.0)
                    .withDescription(
                            "Per-policy. The cap of the importance weights pi/mu of off-policy"
                                    + " events (Infinity for none).");

    public static final ConfigOption<Double> ENTROPY_BONUS =
            ConfigOptions.key("entropy.bonus")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription("Per-policy. The weight of the entropy bonus.");

    public static final ConfigOption<String> BASELINE =
            ConfigOptions.key("baseline")
                    .stringType()
                    .defaultValue("mean")
                    .withDescription(
                            "Per-policy. The reward baseline: per baseline key none, ema or mean;"
                                    + " or linear, b(x) = v.x + c per policy, fitted after each"
                                    + " batch it served (step reward-model.learning-rate).");

    public static final ConfigOption<Double> BASELINE_EMA_DECAY =
            ConfigOptions.key("baseline.ema-decay")
                    .doubleType()
                    .defaultValue(0.99)
                    .withDescription("Per-policy. The decay of the ema baseline, in (0, 1).");

    public static final ConfigOption<Boolean> BASELINE_NORMALIZE =
            ConfigOptions.key("baseline.normalize")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Per-policy. Divide advantages by the running reward standard"
                                    + " deviation (mean baseline only).");

    public static final ConfigOption<Duration> BASELINE_KEY_TTL =
            ConfigOptions.key("baseline.key-ttl")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "Forget the running baseline of a baseline key not seen for this long"
                                    + " (processing time; 0: never). Bounds the state when there"
                                    + " are many keys, e.g. one per user.");

    public static final ConfigOption<String> KERNEL =
            ConfigOptions.key("kernel")
                    .stringType()
                    .defaultValue("auto")
                    .withDescription(
                            "The gradient kernel: auto (the fastest that loads), native, vector"
                                    + " or ejml. native and vector fail at start-up where they"
                                    + " cannot load. Ranker policies use the native ranker kernel"
                                    + " under auto (where it loads) and native, the Java one"
                                    + " under vector and ejml.");

    public static final ConfigOption<Integer> MAX_EVENT_BYTES =
            ConfigOptions.key("max-event-bytes")
                    .intType()
                    .defaultValue(1 << 20)
                    .withDescription(
                            "Records larger than this (key and value) go to the dead-letter topic as TOO_LARGE.");

    public static final ConfigOption<Long> MAX_POLICY_BYTES =
            ConfigOptions.key("max-policy-bytes")
                    .longType()
                    .defaultValue(1L << 30)
                    .withDescription(
                            "The most memory one policy may take in a task: its state"
                                    + " (parameters, optimizer moments, average, reward model) and"
                                    + " its batch workspace (batch.size x (2 x actions +"
                                    + " features) floats); a ranker's, 2^bits x 16 bytes (28"
                                    + " doubly robust). A policy over it fails the start with"
                                    + " its estimate, not a task with an OutOfMemoryError.");

    public static final ConfigOption<Integer> MAX_PARALLELISM =
            ConfigOptions.key("max-parallelism")
                    .intType()
                    .defaultValue(128)
                    .withDescription(
                            "The job's maximum parallelism: the number of key groups its state is"
                                    + " split into, fixed by its first deployment (1 to 32768)."
                                    + " A checkpoint or savepoint restores only with the value it"
                                    + " was taken with; 128 is also what Flink chose for a job of"
                                    + " an earlier release deployed with a parallelism up to 85.");

    /** {@link #CHECKPOINT_INTERVAL} where it is not set and the job joins rewards. */
    public static final Duration JOIN_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "How often state is checkpointed and published snapshots are"
                                    + " committed. Unset, 1 s; 10 s with rewards.join: each"
                                    + " checkpoint writes the join's whole state (the decisions"
                                    + " of a reward.wait), and a joined decision is learned from"
                                    + " a reward.wait after it was made anyway.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("transaction.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "The Kafka producer transaction timeout of the exactly-once sinks;"
                                    + " must not exceed the broker's transaction.max.timeout.ms"
                                    + " (15 minutes by default).");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("transactional-id.prefix")
                    .stringType()
                    .defaultValue("reinforce-learner")
                    .withDescription(
                            "The prefix of the sinks' transactional ids; unique per job on a"
                                    + " cluster.");

    /** All options, in the order of the configuration table (docs/configuration.md). */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all =
                new ArrayList<>(
                        List.of(
                                BOOTSTRAP_SERVERS,
                                EVENTS_TOPIC,
                                PARAMETERS_TOPIC,
                                DEAD_LETTER_TOPIC,
                                CONTROL_TOPIC,
                                JOIN_REWARDS,
                                DECISIONS_TOPIC,
                                REWARDS_TOPIC,
                                REWARD_WAIT,
                                REWARD_EARLY_WINDOW,
                                REWARD_AGGREGATION,
                                REWARD_DEFAULT,
                                REWARD_UNREWARDED,
                                REWARD_TIME,
                                REWARD_OUT_OF_ORDERNESS,
                                REWARD_IDLE_TIMEOUT,
                                REWARD_READ_AHEAD,
                                REWARD_ALIGNMENT_DRIFT,
                                GROUP_ID,
                                CREATE_TOPICS,
                                EVENT_PARTITIONS,
                                STARTING_OFFSETS,
                                POLICIES,
                                RANKERS,
                                RANKER_INTERACTIONS,
                                RANKER_SEED,
                                RANKER_MAX_CANDIDATES,
                                RANKER_MAX_FEATURES,
                                RANKER_LEARNING_RATE));
        for (ConfigOption<?> option : perPolicy()) {
            if (!all.contains(option)) {
                all.add(option);
            }
        }
        all.addAll(
                List.of(
                        BASELINE_KEY_TTL,
                        KERNEL,
                        MAX_EVENT_BYTES,
                        MAX_POLICY_BYTES,
                        MAX_PARALLELISM,
                        CHECKPOINT_INTERVAL,
                        TRANSACTION_TIMEOUT,
                        TRANSACTIONAL_ID_PREFIX));
        return List.copyOf(all);
    }

    /**
     * The options a policy may set for itself, as {@code policy.<id>.<option>} or in its definition
     * on the control topic; the others hold for the whole job.
     */
    public static List<ConfigOption<?>> perPolicy() {
        return List.of(
                BATCH_SIZE,
                BATCH_TIMEOUT,
                PUBLISH_EVERY_UPDATES,
                PUBLISH_INTERVAL,
                OPTIMIZER,
                LEARNING_RATE,
                LEARNING_RATE_SCHEDULE,
                LEARNING_RATE_DECAY_UPDATES,
                AVERAGE,
                AVERAGE_START,
                AVERAGE_DECAY,
                VALIDATION_WINDOW,
                MOMENTUM,
                ADAM_BETA1,
                ADAM_BETA2,
                ADAM_EPSILON,
                MAX_GRADIENT_NORM,
                L2,
                ESTIMATOR,
                REWARD_MODEL_LEARNING_RATE,
                REWARD_MODEL_EXACT_ACTIONS,
                REWARD_MODEL_SAMPLES,
                IMPORTANCE_WEIGHT_CAP,
                ENTROPY_BONUS,
                BASELINE,
                BASELINE_EMA_DECAY,
                BASELINE_NORMALIZE,
                REWARD_WAIT);
    }

    /**
     * The options a ranker policy may set for itself, as {@code policy.<id>.<option>} or in its
     * definition on the control topic.
     */
    public static List<ConfigOption<?>> perRanker() {
        return List.of(
                RANKER_INTERACTIONS,
                RANKER_SEED,
                RANKER_MAX_CANDIDATES,
                RANKER_MAX_FEATURES,
                RANKER_LEARNING_RATE,
                BATCH_SIZE,
                BATCH_TIMEOUT,
                PUBLISH_INTERVAL,
                IMPORTANCE_WEIGHT_CAP,
                ESTIMATOR,
                REWARD_MODEL_LEARNING_RATE,
                VALIDATION_WINDOW,
                REWARD_WAIT);
    }

    /** Where a learner without a checkpoint starts reading. */
    public enum StartingOffsets {
        COMMITTED_OR_EARLIEST,
        EARLIEST,
        LATEST
    }
}
