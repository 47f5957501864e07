package org.flinkreinforce.connectors.event;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink's type information for {@link JoinInput}: {@link JoinInputSerializer}. */
public final class JoinInputTypeInfo extends SerializerTypeInfo<JoinInput> {

    private static final long serialVersionUID = 1L;

    public static final JoinInputTypeInfo INSTANCE = new JoinInputTypeInfo();

    private JoinInputTypeInfo() {
        super(JoinInput.class, JoinInputSerializer.INSTANCE);
    }

    /** The factory the annotation on {@link JoinInput} names. */
    public static final class Factory extends TypeInfoFactory<JoinInput> {
        @Override
        public TypeInformation<JoinInput> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
