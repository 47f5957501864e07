package org.flinkreinforce.job;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.flinkreinforce.connectors.event.SerializerTypeInfo;

/** Flink's type information for {@link JoinEntry}: {@link JoinEntrySerializer}. */
public final class JoinEntryTypeInfo extends SerializerTypeInfo<JoinEntry> {

    private static final long serialVersionUID = 1L;

    public static final JoinEntryTypeInfo INSTANCE = new JoinEntryTypeInfo();

    private JoinEntryTypeInfo() {
        super(JoinEntry.class, JoinEntrySerializer.INSTANCE);
    }

    /** The factory the annotation on {@link JoinEntry} names. */
    public static final class Factory extends TypeInfoFactory<JoinEntry> {
        @Override
        public TypeInformation<JoinEntry> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
