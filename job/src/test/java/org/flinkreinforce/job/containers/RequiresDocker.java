package org.flinkreinforce.job.containers;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a container test where Docker is available. Without Docker it is skipped with the reason on
 * a developer machine, and fails in CI ({@code CI=true}), where skipping would hide that the
 * container tests did not run.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresDocker.Condition.class)
public @interface RequiresDocker {

    /** The JUnit condition behind the annotation. */
    final class Condition implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                return ConditionEvaluationResult.enabled("Docker is available.");
            }
            String reason =
                    "Docker is not available, so the container tests cannot run. Start Docker (or"
                            + " run docker/build-images.sh as root, which installs and starts it"
                            + " and builds the images offline).";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("In CI the container tests must run: " + reason);
            }
            return ConditionEvaluationResult.disabled(reason);
        }
    }
}
