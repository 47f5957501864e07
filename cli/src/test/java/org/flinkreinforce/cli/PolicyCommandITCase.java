package org.flinkreinforce.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.flinkreinforce.client.kafka.PolicyControlTopic;
import org.flinkreinforce.formats.control.PolicyDefinition;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.ranker.RankerSnapshotCodec;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.formats.snapshot.SnapshotCodec;
import org.flinkreinforce.formats.snapshot.TrainingStatistics;
import org.flinkreinforce.kafka.embedded.EmbeddedKafkaBroker;
import org.flinkreinforce.model.PolicySpec;
import org.flinkreinforce.model.ranker.Interaction;
import org.flinkreinforce.model.ranker.RankerSpec;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * {@code reinforce policy} against a real broker: what each subcommand writes to the control topic,
 * and the one-line refusals of changes the learner would refuse.
 */
class PolicyCommandITCase {

    @AutoClose private static final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();

    @Test
    void shouldAddChangeRollBackAndRemoveAPolicyOnTheControlTopic() throws Exception {
        broker.createTopic("ops-parameters", 1, true);
        assertThat(policy("list").out()).contains("No policy on ops-control.");

        CliRun.Output added = policy("add", "recs:4:3", "--set", "learning-rate=0.05");
        assertThat(added.code()).as(added.text()).isZero();
        assertThat(added.out()).contains("Policy recs added: recs:4:3 {learning-rate=0.05}");
        assertThat(definition("recs").options()).isEqualTo(Map.of("learning-rate", "0.05"));

        CliRun.Output again = policy("add", "recs:4:3");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("Policy recs exists on ops-control").hasLineCount(1);

        CliRun.Output badOption = policy("add", "news:4:3", "--set", "events.topic=x");
        assertThat(badOption.code()).isEqualTo(1);
        assertThat(badOption.err())
                .contains("Policy news sets events.topic, which is not an option a policy sets")
                .hasLineCount(1);
        CliRun.Output tooLarge =
                policy("add", "huge:1000:100000", "--learner-property", "max-policy-bytes=1000000");
        assertThat(tooLarge.code()).isEqualTo(1);
        assertThat(tooLarge.err()).contains("max-policy-bytes").contains("huge");

        CliRun.Output updated =
                policy("update", "recs", "--set", "batch.size=16", "--unset", "learning-rate");
        assertThat(updated.code()).as(updated.text()).isZero();
        assertThat(definition("recs").options()).isEqualTo(Map.of("batch.size", "16"));
        assertThat(definition("recs").origin()).isEqualTo(PolicyDefinition.Origin.OPERATOR);
        assertThat(policy("update", "nobody", "--set", "batch.size=16").err())
                .contains("No policy nobody on ops-control");

        assertThat(policy("list").out())
                .contains("POLICY  KIND     SPEC      OPTIONS        BY        PUBLISHED")
                .contains("recs    softmax  recs:4:3  batch.size=16  operator  -");

        // A ranker: its spec ID or ID:BITS, its own options among a ranker's.
        CliRun.Output ranker =
                policy("add", "shop:14", "--kind", "ranker", "--set", "ranker.interactions=u:i");
        assertThat(ranker.code()).as(ranker.text()).isZero();
        assertThat(ranker.out()).contains("Policy shop added: shop:14 {ranker.interactions=u:i}");
        assertThat(definition("shop").kind()).isEqualTo(PolicyDefinition.Kind.RANKER);
        CliRun.Output tooManyBits = policy("add", "wide:40", "--kind", "ranker");
        assertThat(tooManyBits.code()).isEqualTo(1);
        assertThat(tooManyBits.err()).contains("bits").contains("wide").hasLineCount(1);
        CliRun.Output notARankers =
                policy("add", "deal", "--kind", "ranker", "--set", "learning-rate=0.1");
        assertThat(notARankers.code()).isEqualTo(1);
        assertThat(notARankers.err())
                .contains("Ranker deal sets learning-rate, which is not an option a ranker sets")
                .hasLineCount(1);
        CliRun.Output grown = policy("update", "shop", "--spec", "shop:16");
        assertThat(grown.code()).as(grown.text()).isZero();
        assertThat(grown.out()).doesNotContain("restarts");
        CliRun.Output reseeded = policy("update", "shop", "--set", "ranker.seed=7");
        assertThat(reseeded.code()).as(reseeded.text()).isZero();
        assertThat(reseeded.out()).contains("refuses a ranker's new ranker.seed until it restarts");
        assertThat(policy("update", "shop", "--unset", "ranker.seed").code()).isZero();
        assertThat(definition("shop").spec()).isEqualTo("shop:16");
        assertThat(definition("shop").options()).containsEntry("ranker.interactions", "u:i");
        assertThat(policy("list").out())
                .containsPattern("shop +ranker +shop:16 +ranker.interactions=u:i +operator +-");
        RankerSpec shop = new RankerSpec("shop", 16, 0, Interaction.parseList("u:i"), 64, 64);
        RankerSnapshot first = rankerSnapshot(shop, 1, 0.5f);
        publish("shop", RankerSnapshotCodec.encode(first));
        publish("shop", RankerSnapshotCodec.encode(rankerSnapshot(shop, 3, -0.5f)));
        CliRun.Output rankerRollback =
                policy("rollback", "shop", "--to-version", "1", "--wait", "0 s");
        assertThat(rankerRollback.code()).as(rankerRollback.text()).isZero();
        PolicyDefinition.Rollback back = definition("shop").rollback();
        assertThat(back.toVersion()).isEqualTo(1);
        assertThat(back.basedOnVersion()).isEqualTo(3);
        assertThat(RankerSnapshotCodec.decode(back.snapshot()).weights())
                .containsExactly(first.weights());
        assertThat(definition("shop").kind()).isEqualTo(PolicyDefinition.Kind.RANKER);
        publish("shop", RankerSnapshotCodec.encode(rankerSnapshot(shop.withBits(17), 4, 0f)));
        CliRun.Output otherHashing =
                policy("rollback", "shop", "--to-version", "1", "--wait", "0 s");
        assertThat(otherHashing.code()).isEqualTo(1);
        assertThat(otherHashing.err()).contains("hashes its features otherwise").hasLineCount(1);
        assertThat(policy("remove", "shop").code()).isZero();
        assertThat(read().definition("shop")).isEmpty();

        CliRun.Output missing = policy("rollback", "recs", "--to-version", "3", "--wait", "0 s");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("Version 3 of policy recs is not on ops-parameters");

        ParameterSnapshot three = snapshot(3, 0.25f);
        publish(three);
        publish(snapshot(5, -1f));
        CliRun.Output rolledBack = policy("rollback", "recs", "--to-version", "3", "--wait", "0 s");
        assertThat(rolledBack.code()).as(rolledBack.text()).isZero();
        PolicyDefinition.Rollback rollback = definition("recs").rollback();
        assertThat(rollback.toVersion()).isEqualTo(3);
        assertThat(rollback.basedOnVersion()).isEqualTo(5);
        assertThat(SnapshotCodec.decode(rollback.snapshot())).isEqualTo(three);
        assertThat(definition("recs").options()).isEqualTo(Map.of("batch.size", "16"));

        // Waiting: a learner that publishes a version of its own learning before the rolled-back
        // one; the command names the version that carries version 3's parameters.
        String earlier = rollback.id();
        Thread learner =
                new Thread(
                        () -> {
                            try {
                                while (definition("recs").rollback().id().equals(earlier)) {
                                    Thread.sleep(50);
                                }
                                publish(snapshot(6, 0.75f));
                                publish(snapshot(7, 0.25f));
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        });
        learner.start();
        CliRun.Output waited = policy("rollback", "recs", "--to-version", "3", "--wait", "30 s");
        learner.join();
        assertThat(waited.code()).as(waited.text()).isZero();
        assertThat(waited.out()).contains("Published as version 7 of recs.");

        assertThat(policy("remove", "recs").code()).isZero();
        assertThat(read().definition("recs")).isEmpty();
        assertThat(policy("list").out()).contains("No policy on ops-control.");
    }

    private static CliRun.Output policy(String... args) {
        String[] all = new String[args.length + 6];
        all[0] = "policy";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--bootstrap-servers";
        all[args.length + 2] = broker.bootstrapServers();
        all[args.length + 3] = "--control-topic";
        all[args.length + 4] = "ops-control";
        all[args.length + 5] = "--parameters-topic=ops-parameters";
        return CliRun.run(all);
    }

    private static PolicyControlTopic.Contents read() {
        return PolicyControlTopic.read(
                broker.clientProperties(), "ops-control", Duration.ofSeconds(30));
    }

    private static PolicyDefinition definition(String policyId) {
        return read().definition(policyId).orElseThrow();
    }

    private static ParameterSnapshot snapshot(long version, float value) {
        PolicySpec spec = PolicySpec.parse("recs:4:3");
        float[] parameters = new float[spec.parameterCount()];
        java.util.Arrays.fill(parameters, value);
        return new ParameterSnapshot(
                spec,
                version,
                1000 * version,
                10 * version,
                version,
                parameters,
                TrainingStatistics.NONE,
                version);
    }

    private static void publish(ParameterSnapshot snapshot) throws Exception {
        publish(snapshot.policyId(), SnapshotCodec.encode(snapshot));
    }

    private static void publish(String policyId, byte[] value) throws Exception {
        Properties client = broker.clientProperties();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(client, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("ops-parameters", policyId.getBytes(), value)).get();
        }
    }

    private static RankerSnapshot rankerSnapshot(RankerSpec spec, long version, float value) {
        float[] weights = new float[spec.weightCount()];
        java.util.Arrays.fill(weights, value);
        return new RankerSnapshot(
                spec, version, 1000 * version, 10 * version, version, 7L, new double[0], weights);
    }
}
