package org.flinkreinforce.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.flinkreinforce.model.RewardModel;
import org.flinkreinforce.model.evaluation.ProgressiveValidation;
import org.flinkreinforce.model.optim.AverageState;
import org.junit.jupiter.api.Test;

/**
 * The keyed state classes are Flink POJOs whose serializer layout (class name, field names and
 * field types) is what savepoints record. Flink's POJO serializer restores a savepoint whose class
 * lacks a field that was added since (the field is then null or zero; {@code
 * SavepointCompatibilityITCase} restores the first release's savepoint), but not a renamed, retyped
 * or removed field: such a change needs a state migration first. Any change of the layout fails
 * these tests, so that it is made on purpose.
 */
class StateLayoutTest {

    private static final TypeInformation<?> LONG = BasicTypeInfo.LONG_TYPE_INFO;
    private static final TypeInformation<?> FLOATS =
            PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO;

    @Test
    void shouldKeepTheLearnerStateLayoutThatSavepointsWereWrittenWith() {
        Map<String, TypeInformation<?>> expected = new LinkedHashMap<>();
        // Added after the first release: the average of the iterates, progressive validation, the
        // reward model, the linear baseline, the layout the state was built with and the last
        // rollback applied.
        expected.put("average", pojo(AverageState.class));
        expected.put("baselineModel", pojo(RewardModel.class));
        expected.put("buffered", BasicTypeInfo.INT_TYPE_INFO);
        expected.put("eventDigest", LONG);
        expected.put("eventsApplied", LONG);
        expected.put("eventsRejected", LONG);
        expected.put("firstMoment", FLOATS);
        expected.put("flushDeadline", LONG);
        expected.put("lastPublishMillis", LONG);
        expected.put("layout", BasicTypeInfo.STRING_TYPE_INFO);
        expected.put("optimizerSteps", LONG);
        expected.put("parameters", FLOATS);
        expected.put("publishedVersion", LONG);
        expected.put("rejectedBatches", LONG);
        expected.put("rewardModel", pojo(RewardModel.class));
        expected.put("rollbackId", BasicTypeInfo.STRING_TYPE_INFO);
        expected.put("secondMoment", FLOATS);
        expected.put("statistics", PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO);
        expected.put("updates", LONG);
        expected.put("updatesAtPublish", LONG);
        expected.put("validation", pojo(ProgressiveValidation.class));
        expected.put("version", LONG);

        assertThat(pojoFields(LearnerState.class, "org.flinkreinforce.job.LearnerState"))
                .containsExactlyEntriesOf(expected);
    }

    @Test
    void shouldKeepTheKeyedBaselineLayoutThatSavepointsWereWrittenWith() {
        Map<String, TypeInformation<?>> expected = new LinkedHashMap<>();
        expected.put("count", LONG);
        // Added after the first release: the kind of baseline.
        expected.put("kind", BasicTypeInfo.STRING_TYPE_INFO);
        expected.put("m2", BasicTypeInfo.DOUBLE_TYPE_INFO);
        expected.put("mean", BasicTypeInfo.DOUBLE_TYPE_INFO);
        expected.put("updatedAtMillis", LONG);

        assertThat(pojoFields(KeyedBaseline.class, "org.flinkreinforce.job.KeyedBaseline"))
                .containsExactlyEntriesOf(expected);
    }

    @Test
    void shouldKeepTheAppliedDefinitionLayout() {
        Map<String, TypeInformation<?>> expected = new LinkedHashMap<>();
        expected.put("offset", LONG);
        expected.put("value", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

        assertThat(pojoFields(AppliedDefinition.class, "org.flinkreinforce.job.AppliedDefinition"))
                .containsExactlyEntriesOf(expected);
    }

    private static TypeInformation<?> pojo(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info)
                .as("%s must be a Flink POJO, not fall back to Kryo", type.getSimpleName())
                .isInstanceOf(PojoTypeInfo.class);
        return info;
    }

    /** The POJO fields Flink serializes, in its (name) order, after checking the class name. */
    private static Map<String, TypeInformation<?>> pojoFields(Class<?> type, String className) {
        assertThat(type.getName()).isEqualTo(className);
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info)
                .as("%s must stay a Flink POJO, not fall back to Kryo", type.getSimpleName())
                .isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
        Map<String, TypeInformation<?>> fields = new LinkedHashMap<>();
        for (int k = 0; k < pojo.getArity(); k++) {
            PojoField field = pojo.getPojoFieldAt(k);
            fields.put(field.getField().getName(), field.getTypeInformation());
        }
        return fields;
    }
}
