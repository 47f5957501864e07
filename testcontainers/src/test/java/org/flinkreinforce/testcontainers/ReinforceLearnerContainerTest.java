package org.flinkreinforce.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

class ReinforceLearnerContainerTest {

    @Test
    void shouldRunTheLearnerWithItsPoliciesAndOptionsInAFile() throws Exception {
        ReinforceLearnerContainer learner =
                new ReinforceLearnerContainer()
                        .withKafka("kafka:19092")
                        .withPolicy("articles:4:5")
                        .withPolicy("nas:0:4,3")
                        .withOption("batch.size", "32")
                        .withOption("policy.nas.reward.wait", "2 h")
                        .withOption(
                                "sasl.jaas.config",
                                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                        + " username=\"app\" password=\"s3cret\";");
        learner.configure();

        assertThat(learner.getCommandParts())
                .containsExactly(
                        "/opt/reinforce/bin/reinforce",
                        "learn",
                        "--bootstrap-servers=kafka:19092",
                        "--policy=articles:4:5",
                        "--policy=nas:0:4,3",
                        "--config=" + ReinforceLearnerContainer.CONFIG_PATH,
                        "--web-ui-address=0.0.0.0",
                        "--web-ui-port=8081");
        assertThat(String.join(" ", learner.getCommandParts())).doesNotContain("s3cret");
        Properties file = new Properties();
        file.load(new StringReader(learner.learnerProperties()));
        assertThat(file)
                .containsEntry("batch.size", "32")
                .containsEntry("policy.nas.reward.wait", "2 h")
                .containsEntry(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"app\" password=\"s3cret\";");
        assertThat(learner.getExposedPorts()).containsExactly(8081);
    }

    @Test
    void shouldNameWhatIsMissingBeforeItStarts() {
        assertThatThrownBy(() -> new ReinforceLearnerContainer().withPolicy("a:1:2").configure())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("withKafka");
        assertThatThrownBy(() -> new ReinforceLearnerContainer().withKafka("k:1").configure())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("withPolicy");
        assertThatThrownBy(() -> new ReinforceLearnerContainer().withPolicy(" "))
                .isInstanceOf(IllegalArgumentException.class);
        try (GenericContainer<?> kafka = new GenericContainer<>("apache/kafka:4.2.0")) {
            assertThatThrownBy(
                            () -> new ReinforceLearnerContainer().withKafka(kafka, "kafka:19092"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("withNetwork");
        }
    }

    @Test
    void shouldDefaultToTheLocallyBuiltImageOfThisVersion() {
        assertThat(ReinforceLearnerContainer.DEFAULT_IMAGE.asCanonicalNameString())
                .matches("reinforce/job:\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        new ReinforceLearnerContainer("reinforce/job:1.2.3").close();
        assertThatThrownBy(() -> new ReinforceLearnerContainer("someone/else:1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("compatible substitute");
    }

    @Test
    void shouldWaitForEveryTaskOfTheJobToRun() {
        String deploying =
                "{\"jobs\":[{\"jid\":\"a1\",\"name\":\"flink-reinforce learner\",\"start-time\":1,"
                        + "\"end-time\":-1,\"duration\":5,\"state\":\"RUNNING\",\"tasks\":{"
                        + "\"running\":3,\"canceling\":0,\"canceled\":0,\"total\":5,\"created\":0,"
                        + "\"scheduled\":0,\"deploying\":2,\"reconciling\":0,\"finished\":0,"
                        + "\"initializing\":0,\"failed\":0}}]}";
        String running = deploying.replace("\"running\":3", "\"running\":5");
        String restarting = running.replace("\"state\":\"RUNNING\"", "\"state\":\"RESTARTING\"");
        assertThat(LearnerRunning.learnerRuns("{\"jobs\":[]}")).isFalse();
        assertThat(LearnerRunning.learnerRuns(deploying)).isFalse();
        assertThat(LearnerRunning.learnerRuns(restarting)).isFalse();
        assertThat(LearnerRunning.learnerRuns(running)).isTrue();
    }
}
