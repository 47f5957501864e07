package org.flinkreinforce.model.ranker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The hashing contract that the client and the learner share, pinned: the formulas of {@link
 * FeatureHasher}, checked against MurmurHash3 of the spelled-out bytes, and fixed values that must
 * never change (a change would silently scramble every deployed ranker's weights).
 */
class FeatureHasherTest {

    private static final int SEED = 42;

    @Test
    void shouldHashFeaturesAsTheContractSpellsOut() {
        FeatureHasher hasher = new FeatureHasher(SEED);
        int user = hasher.namespace("user");
        assertThat(user).isEqualTo(murmur("user", SEED));
        assertThat(FeatureHasher.numeric(user, "age")).isEqualTo(murmur("age", user));
        assertThat(FeatureHasher.categorical(user, "country", "DE"))
                .isEqualTo(murmur("country=DE", user));
        assertThat(FeatureHasher.categorical(user, "städt", "Köln"))
                .isEqualTo(murmur("städt=Köln", user));
        assertThat(FeatureHasher.indexed(user, 3)).isEqualTo(murmur(le(3), user));
        int item = hasher.namespace("item");
        int category = FeatureHasher.categorical(item, "category", "shoes");
        int country = FeatureHasher.categorical(user, "country", "DE");
        assertThat(FeatureHasher.cross(country, category)).isEqualTo(murmur(le(category), country));
        assertThat(FeatureHasher.crossWithKey(country, FeatureHasher.crossKey(category)))
                .isEqualTo(murmur(le(category), country));
        java.util.Random random = new java.util.Random(9);
        for (int k = 0; k < 100_000; k++) {
            int a = random.nextInt();
            int b = random.nextInt();
            assertThat(FeatureHasher.crossWithKey(a, FeatureHasher.crossKey(b)))
                    .isEqualTo(FeatureHasher.cross(a, b));
        }
    }

    @Test
    void shouldKeepTheFixedVectorsOfTheWireContract() {
        FeatureHasher hasher = new FeatureHasher(SEED);
        int user = hasher.namespace("user");
        int item = hasher.namespace("item");
        int country = FeatureHasher.categorical(user, "country", "DE");
        int category = FeatureHasher.categorical(item, "category", "shoes");
        assertThat(
                        new int[] {
                            user,
                            FeatureHasher.numeric(user, "age"),
                            country,
                            FeatureHasher.indexed(user, 3),
                            item,
                            category,
                            FeatureHasher.cross(country, category)
                        })
                .containsExactly(FIXED);
        assertThat(new FeatureHasher(0).namespace("user")).isNotEqualTo(user);
    }

    @Test
    void shouldHashDescribedFeaturesIntoNamespaces() {
        FeatureHasher hasher = new FeatureHasher(SEED);
        Features features =
                Features.builder()
                        .category("user", "country", "DE")
                        .number("user", "age", 31)
                        .dense("context", new float[] {0.5f, -1f})
                        .build();
        HashedFeatures hashed = hasher.hash(features, new HashedFeatures());
        int user = hasher.namespace("user");
        int context = hasher.namespace("context");
        assertThat(hashed.namespaceCount()).isEqualTo(2);
        assertThat(hashed.namespaceHash(0)).isEqualTo(user);
        assertThat(hashed.namespaceHash(1)).isEqualTo(context);
        assertThat(hashed.featureCount()).isEqualTo(4);
        assertThat(hashed.featureHash(0))
                .isEqualTo(FeatureHasher.categorical(user, "country", "DE"));
        assertThat(hashed.featureValue(0)).isEqualTo(1f);
        assertThat(hashed.featureHash(1)).isEqualTo(FeatureHasher.numeric(user, "age"));
        assertThat(hashed.featureValue(1)).isEqualTo(31f);
        assertThat(hashed.featureHash(3)).isEqualTo(FeatureHasher.indexed(context, 1));
        assertThat(hashed.featureValue(3)).isEqualTo(-1f);
        assertThat(hashed.namespaceStart(1)).isEqualTo(2);
        assertThat(hashed.namespaceEnd(1)).isEqualTo(4);
    }

    /**
     * Seed 42: namespace user, user's age, user's country=DE, user's element 3, namespace item,
     * item's category=shoes, the cross of country=DE and category=shoes.
     */
    private static final int[] FIXED = {
        -762444118, 1872328009, 935086295, 792379517, 1326431916, 2129837210, -364561461
    };

    private static int murmur(String text, int seed) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash(bytes, 0, bytes.length, seed);
    }

    private static int murmur(byte[] bytes, int seed) {
        return MurmurHash3.hash(bytes, 0, bytes.length, seed);
    }

    private static byte[] le(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
