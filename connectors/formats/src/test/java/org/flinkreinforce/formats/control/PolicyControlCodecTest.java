package org.flinkreinforce.formats.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyControlCodecTest {

    private static final PolicyDefinition RECS =
            new PolicyDefinition(
                    "recs",
                    "recs:16:50",
                    Map.of("learning-rate", "0.1", "batch.size", "64"),
                    PolicyDefinition.Origin.OPERATOR,
                    null);

    @Test
    void shouldWriteTheDocumentedBytes() {
        assertThat(new String(PolicyControlCodec.encode(RECS), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"v\":1,\"policyId\":\"recs\",\"spec\":\"recs:16:50\",\"options\":"
                                + "{\"batch.size\":\"64\",\"learning-rate\":\"0.1\"},"
                                + "\"origin\":\"operator\"}");
    }

    @Test
    void shouldReadWhatItWrites() throws IOException {
        PolicyDefinition rolledBack =
                RECS.withRollback(
                        new PolicyDefinition.Rollback("r-1", 12, 40, new byte[] {1, 2, 3}));
        PolicyDefinition read = PolicyControlCodec.decode(PolicyControlCodec.encode(rolledBack));
        assertThat(read).isEqualTo(rolledBack);
        assertThat(read.rollback().toVersion()).isEqualTo(12);
        assertThat(read.rollback().basedOnVersion()).isEqualTo(40);
        assertThat(read.rollback().snapshot()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldWriteAndReadARankersKind() throws IOException {
        PolicyDefinition shop =
                new PolicyDefinition(
                        "shop",
                        PolicyDefinition.Kind.RANKER,
                        "shop:20",
                        Map.of("ranker.interactions", "user:item"),
                        PolicyDefinition.Origin.OPERATOR,
                        null);
        assertThat(new String(PolicyControlCodec.encode(shop), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"v\":1,\"policyId\":\"shop\",\"kind\":\"ranker\",\"spec\":\"shop:20\","
                                + "\"options\":{\"ranker.interactions\":\"user:item\"},"
                                + "\"origin\":\"operator\"}");
        assertThat(PolicyControlCodec.decode(PolicyControlCodec.encode(shop))).isEqualTo(shop);
        // A softmax definition written before kinds existed, and one naming its kind.
        assertThat(decode("{\"v\":1,\"policyId\":\"p\",\"spec\":\"p:0:2\"}").kind())
                .isEqualTo(PolicyDefinition.Kind.SOFTMAX);
        assertThat(decode("{\"v\":1,\"policyId\":\"p\",\"kind\":\"softmax\",\"spec\":\"p:0:2\"}"))
                .isEqualTo(decode("{\"v\":1,\"policyId\":\"p\",\"spec\":\"p:0:2\"}"));
        assertThat(
                        shop.sameDefinition(
                                new PolicyDefinition(
                                        "shop",
                                        "shop:20",
                                        shop.options(),
                                        PolicyDefinition.Origin.OPERATOR,
                                        null)))
                .isFalse();
        assertThatThrownBy(
                        () ->
                                decode(
                                        "{\"v\":1,\"policyId\":\"p\",\"kind\":\"tree\",\"spec\":\"p\"}"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tree");
    }

    @Test
    void shouldSkipFieldsItDoesNotKnow() throws IOException {
        byte[] value =
                ("{\"v\":1,\"policyId\":\"p\",\"spec\":\"p:0:2\",\"note\":{\"by\":\"ann\"},"
                                + "\"origin\":\"configuration\"}")
                        .getBytes(StandardCharsets.UTF_8);
        PolicyDefinition read = PolicyControlCodec.decode(value);
        assertThat(read.origin()).isEqualTo(PolicyDefinition.Origin.CONFIGURATION);
        assertThat(read.options()).isEmpty();
    }

    @Test
    void shouldRefuseAnotherVersionOrAMissingField() {
        assertThatThrownBy(() -> decode("{\"v\":2,\"policyId\":\"p\",\"spec\":\"p:0:2\"}"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> decode("{\"v\":1,\"policyId\":\"p\"}"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("spec");
        assertThatThrownBy(() -> decode("{\"v\":1,\"policyId\":\"p\",\"spec\":3}"))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode("[1]")).isInstanceOf(IOException.class);
        assertThatThrownBy(
                        () ->
                                decode(
                                        "{\"v\":1,\"policyId\":\"p\",\"spec\":\"p:0:2\","
                                                + "\"rollback\":{\"id\":\"x\",\"toVersion\":1,\"snapshot\":\"%%\"}}"))
                .isInstanceOf(IOException.class);
    }

    private static PolicyDefinition decode(String json) throws IOException {
        return PolicyControlCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }
}
