package org.flinkreinforce.connectors.event;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink's type information for {@link PolicyEvent}: {@link PolicyEventSerializer}. Picked up
 * through the {@code @TypeInfo} annotation on the class, wherever Flink meets the type.
 */
public final class PolicyEventTypeInfo extends SerializerTypeInfo<PolicyEvent> {

    private static final long serialVersionUID = 1L;

    public static final PolicyEventTypeInfo INSTANCE = new PolicyEventTypeInfo();

    private PolicyEventTypeInfo() {
        super(PolicyEvent.class, PolicyEventSerializer.INSTANCE);
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
