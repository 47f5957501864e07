package org.flinkreinforce.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The container's failure path on the real image: a learner that cannot start fails {@code start()}
 * at once with its own message, rather than after the startup timeout. (The happy path: the example
 * recommender's test.)
 */
@Testcontainers(disabledWithoutDocker = true)
class ReinforceLearnerContainerITCase {

    @Test
    void shouldFailAtOnceWithTheLearnersMessageWhenItCannotStart() {
        long started = System.nanoTime();
        Throwable failure;
        try (ReinforceLearnerContainer learner =
                new ReinforceLearnerContainer()
                        .withKafka("localhost:9092")
                        .withPolicy("articles:4:5")
                        .withOption("batch.size", "zero")) {
            failure = catchThrowable(learner::start);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(failure).isNotNull();
        Assertions.assertThat(rootMessages(failure))
                .contains("The learner exited before it ran")
                .contains("batch");
        assertThat(took).isLessThan(ReinforceLearnerContainer.STARTUP_TIMEOUT);
    }

    private static String rootMessages(Throwable failure) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }
}
