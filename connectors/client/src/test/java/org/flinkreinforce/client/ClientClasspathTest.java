package org.flinkreinforce.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The client is what applications embed: its class path (here with the test-only broker) must not
 * bring Flink, whose jars and their transitive versions would land in every application.
 */
class ClientClasspathTest {

    @Test
    void shouldNotHaveFlinkOnTheClassPath() {
        for (String flinkClass :
                new String[] {
                    "org.apache.flink.api.common.typeinfo.TypeInformation",
                    "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment",
                    "org.apache.flink.connector.kafka.source.KafkaSource"
                }) {
            assertThatThrownBy(() -> Class.forName(flinkClass))
                    .as(flinkClass)
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }
}
