package org.flinkreinforce.cli;

import java.time.Duration;
import java.util.function.Function;
import org.flinkreinforce.cli.sim.Environment;
import org.flinkreinforce.cli.sim.RewardDelay;
import org.flinkreinforce.cli.sim.RewardForm;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How the simulated application of {@code demo} and {@code simulate} logs its rewards. */
public final class RewardOptions {

    @Option(
            names = "--rewards",
            defaultValue = "split",
            paramLabel = "split|inline",
            converter = FormText.class,
            description =
                    "split: each decision at once and its reward when it comes, apart (a learner"
                            + " joins them with rewards.join); inline: each decision with its"
                            + " reward as one event (default: ${DEFAULT-VALUE}).")
    RewardForm form;

    @Option(
            names = "--reward-delay",
            paramLabel = "DURATION",
            description =
                    "The typical time from a decision to its reward, in the split form (default:"
                            + " the scenario's; recs and catalogue: 2 s, exponential and cut at 4 times it; nas:"
                            + " 3 s, between half and 1.5 times it).")
    Duration typicalDelay;

    /** The delays of {@code environment}'s rewards, around {@code --reward-delay} if given. */
    RewardDelay delay(Environment environment) {
        return delay(environment::rewardDelay, environment.typicalRewardDelay());
    }

    /** The delays of the law {@code law}, around {@code --reward-delay}, else {@code typical}. */
    RewardDelay delay(Function<Duration, RewardDelay> law, Duration typical) {
        return law.apply(typicalDelay != null ? typicalDelay : typical);
    }

    /** Reads {@code split} or {@code inline}. */
    static final class FormText implements CommandLine.ITypeConverter<RewardForm> {
        @Override
        public RewardForm convert(String value) {
            try {
                return RewardForm.of(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
