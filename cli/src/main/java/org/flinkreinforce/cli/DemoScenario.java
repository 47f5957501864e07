package org.flinkreinforce.cli;

import java.util.List;
import java.util.OptionalDouble;
import org.flinkreinforce.cli.sim.Application;
import org.flinkreinforce.cli.sim.CatalogueApplication;
import org.flinkreinforce.cli.sim.CatalogueEnvironment;
import org.flinkreinforce.cli.sim.Environment;
import org.flinkreinforce.cli.sim.NasEnvironment;
import org.flinkreinforce.cli.sim.RewardDelay;
import org.flinkreinforce.client.PolicyClient;
import org.flinkreinforce.formats.ranker.RankerSnapshot;
import org.flinkreinforce.formats.snapshot.ParameterSnapshot;
import org.flinkreinforce.job.LearnerConfig;
import org.flinkreinforce.job.LearnerOptions;
import org.flinkreinforce.model.PolicyParameters;
import org.flinkreinforce.model.PolicySpec;

/**
 * A demo scenario as the demo runs it: the policy the learner learns (its id is the scenario's
 * name), the simulated application, and how good the newest published policy is.
 */
abstract class DemoScenario {

    /** The newest published policy: its version, the events it learned from, its value. */
    record Published(long version, long eventsApplied, double expectedReward) {}

    final String policyId;

    DemoScenario(String policyId) {
        this.policyId = policyId;
    }

    /** The scenario of a name: {@code recs}, {@code nas} or {@code catalogue}. */
    static DemoScenario of(String scenario, long seed) {
        switch (scenario) {
            case "recs":
            case "nas":
                return new Softmax(scenario, Environment.of(scenario, seed));
            case "catalogue":
                return new Catalogue(
                        scenario, new CatalogueEnvironment(4, 8, 60, 8, 2_000, 10, seed));
            default:
                throw new IllegalArgumentException(
                        "Invalid scenario '" + scenario + "': expected recs, nas or catalogue.");
        }
    }

    abstract String describe();

    /** The events a demo produces unless told. */
    abstract long defaultEvents();

    /** The learner's policy and its batch size. */
    abstract void configure(LearnerConfig.Builder builder);

    /** The delays of rewards, around {@code --reward-delay} where given. */
    abstract RewardDelay rewardDelay(RewardOptions rewards);

    /** What an outcome without a reward is worth, where it is learned from. */
    abstract OptionalDouble unobservedReward();

    /**
     * The application that decides with {@code client}'s newest policy, counting what it measures
     * from decision {@code measureFrom} on.
     */
    abstract Application application(PolicyClient client, long measureFrom);

    /** The newest policy {@code client} read, or the uniform one before any. */
    abstract Published published(PolicyClient client);

    abstract double uniformReward();

    abstract double optimalReward();

    /** The policy, as the summary names it. */
    abstract String policy();

    /** What the progress line shows after the expected reward; starts with {@code " | "}. */
    abstract String progress(PolicyClient client);

    /** Adds the scenario's own figures to the report, once the run is done. */
    abstract void finish(DemoReport report, PolicyClient client);

    /** A softmax policy in an {@link Environment}: {@code recs} or {@code nas}. */
    static final class Softmax extends DemoScenario {
        final Environment environment;
        final PolicySpec spec;

        Softmax(String policyId, Environment environment) {
            super(policyId);
            this.environment = environment;
            this.spec = environment.spec(policyId);
        }

        @Override
        String describe() {
            return environment.describe();
        }

        @Override
        long defaultEvents() {
            return policyId.equals("recs") ? 300_000 : 100_000;
        }

        @Override
        void configure(LearnerConfig.Builder builder) {
            builder.policies(List.of(spec))
                    .set(LearnerOptions.BATCH_SIZE, policyId.equals("recs") ? 64 : 32);
        }

        @Override
        RewardDelay rewardDelay(RewardOptions rewards) {
            return rewards.delay(environment);
        }

        @Override
        OptionalDouble unobservedReward() {
            return environment.unobservedReward();
        }

        @Override
        Application application(PolicyClient client, long measureFrom) {
            return Application.softmax(environment, policyId, client);
        }

        @Override
        Published published(PolicyClient client) {
            ParameterSnapshot snapshot = client.snapshot(policyId).orElse(null);
            PolicyParameters parameters = parameters(snapshot);
            return new Published(
                    parameters.version(),
                    snapshot == null ? 0 : snapshot.eventsApplied(),
                    environment.expectedReward(parameters));
        }

        private PolicyParameters parameters(ParameterSnapshot snapshot) {
            return snapshot == null ? PolicyParameters.zeros(spec) : snapshot.toParameters();
        }

        @Override
        double uniformReward() {
            return environment.expectedReward(PolicyParameters.zeros(spec));
        }

        @Override
        double optimalReward() {
            return environment.optimalReward();
        }

        @Override
        String policy() {
            return spec.toString();
        }

        @Override
        String progress(PolicyClient client) {
            ParameterSnapshot snapshot = client.snapshot(policyId).orElse(null);
            return String.format(
                    " | validated %8.4f | expected %8.4f of %.4f",
                    snapshot == null ? Double.NaN : snapshot.statistics().validation().snips(),
                    environment.expectedReward(parameters(snapshot)),
                    environment.optimalReward());
        }

        @Override
        void finish(DemoReport report, PolicyClient client) {
            if (environment instanceof NasEnvironment nas) {
                report.bestArchitecture(
                        nas.bestArchitectureProbability(PolicyParameters.zeros(spec)),
                        nas.bestArchitectureProbability(
                                parameters(client.snapshot(policyId).orElse(null))));
            }
        }
    }

    /** A ranker of a changing {@link CatalogueEnvironment catalogue}. */
    static final class Catalogue extends DemoScenario {
        final CatalogueEnvironment environment;
        private CatalogueApplication application;

        Catalogue(String policyId, CatalogueEnvironment environment) {
            super(policyId);
            this.environment = environment;
        }

        @Override
        String describe() {
            return environment.describe();
        }

        @Override
        long defaultEvents() {
            return 100_000;
        }

        /** The ranker crosses the user's features with the item's; a batch is 64 rankings. */
        @Override
        void configure(LearnerConfig.Builder builder) {
            builder.set(LearnerOptions.RANKERS, List.of(policyId))
                    .set(
                            LearnerOptions.RANKER_INTERACTIONS,
                            CatalogueEnvironment.USER + ":" + CatalogueEnvironment.ITEM)
                    .set(LearnerOptions.BATCH_SIZE, 64);
        }

        @Override
        RewardDelay rewardDelay(RewardOptions rewards) {
            return rewards.delay(environment::rewardDelay, environment.typicalRewardDelay());
        }

        @Override
        OptionalDouble unobservedReward() {
            return OptionalDouble.of(0);
        }

        @Override
        Application application(PolicyClient client, long measureFrom) {
            application = new CatalogueApplication(environment, policyId, client, measureFrom);
            return application;
        }

        @Override
        Published published(PolicyClient client) {
            RankerSnapshot snapshot = client.rankerSnapshot(policyId).orElse(null);
            return new Published(
                    snapshot == null ? 0 : snapshot.version(),
                    snapshot == null ? 0 : snapshot.eventsApplied(),
                    snapshot == null
                            ? environment.uniformReward()
                            : environment.expectedReward(snapshot.spec(), snapshot.weights()));
        }

        @Override
        double uniformReward() {
            return environment.uniformReward();
        }

        @Override
        double optimalReward() {
            return environment.optimalReward();
        }

        @Override
        String policy() {
            return CatalogueEnvironment.spec(policyId).toString();
        }

        @Override
        String progress(PolicyClient client) {
            return String.format(
                    " | expected %8.4f of %.4f (uniform %.4f) | catalogue generation %3d, %4d"
                            + " new items",
                    published(client).expectedReward(),
                    environment.optimalReward(),
                    environment.uniformReward(),
                    environment.generation(),
                    environment.itemsAdded());
        }

        @Override
        void finish(DemoReport report, PolicyClient client) {
            report.catalogue(
                    environment.generation(),
                    environment.itemsAdded(),
                    application.unshownBestOffered(),
                    application.unshownBestShare(),
                    application.uniformUnshownBestShare());
        }
    }
}
