package org.flinkreinforce.connectors.event;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information for {@link PolicyEvent}: {@link PolicyEventSerializer}. Picked up
 * through the {@code @TypeInfo} annotation on the class, wherever Flink meets the type.
 */
public final class PolicyEventTypeInfo extends TypeInformation<PolicyEvent> {

    private static final long serialVersionUID = 1L;

    public static final PolicyEventTypeInfo INSTANCE = new PolicyEventTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<PolicyEvent> getTypeClass() {
        return PolicyEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<PolicyEvent> createSerializer(SerializerConfig config) {
        return PolicyEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "PolicyEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return PolicyEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof PolicyEventTypeInfo;
    }

    /** The factory the annotation names. */
    public static final class Factory extends TypeInfoFactory<PolicyEvent> {
        @Override
        public TypeInformation<PolicyEvent> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
