package org.flinkreinforce.model.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.flinkreinforce.model.util.SettingNames;
import org.junit.jupiter.api.Test;

class GradientKernelsTest {

    @Test
    void shouldLoadThePackagedNativeLibraryWhereTheBuildCompiledIt() {
        boolean packaged =
                NativeLibraryLoader.class.getResource(NativeLibraryLoader.resourcePath()) != null;
        if (packaged) {
            assertThat(GradientKernels.nativeAvailable()).isTrue();
            assertThat(GradientKernels.resolve(KernelChoice.AUTO).kernel()).isEqualTo("native");
            assertThat(GradientKernels.create(KernelChoice.AUTO).name()).isEqualTo("native");
        } else {
            assertThatThrownBy(() -> GradientKernels.create(KernelChoice.NATIVE))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("not available");
            assertThat(GradientKernels.resolve(KernelChoice.AUTO).passedOver()).isNotEmpty();
        }
    }

    @Test
    void shouldRunTheNativeKernelOnTheBestPathThisCpuSupportsAndNeverAbove() {
        if (!GradientKernels.nativeAvailable()) {
            return;
        }
        NativeKernel.Isa max = NativeKernel.maxIsa();
        assertThat(new NativeKernel().isa()).isEqualTo(max);
        assertThat(new NativeKernel(NativeKernel.Isa.PORTABLE).isa())
                .isEqualTo(NativeKernel.Isa.PORTABLE);
        for (NativeKernel.Isa isa : NativeKernel.Isa.values()) {
            if (isa.ordinal() > max.ordinal()) {
                assertThatThrownBy(() -> new NativeKernel(isa))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("supports the native kernel up to");
            }
        }
    }

    @Test
    void shouldOfferTheVectorKernelWhenTheModuleIsPresent() {
        // The build runs every JVM with --add-modules=jdk.incubator.vector.
        assertThat(GradientKernels.vectorAvailable()).isTrue();
        assertThat(GradientKernels.create(KernelChoice.VECTOR).name()).isEqualTo("vector");
        assertThat(GradientKernels.create(KernelChoice.EJML).name()).isEqualTo("ejml");
    }

    @Test
    void shouldRejectUnknownKernelNamesWithAFullSentence() {
        assertThatThrownBy(() -> SettingNames.parse(KernelChoice.class, "cuda", "kernel"))
                .hasMessage("Invalid kernel 'cuda': expected one of auto, native, vector, ejml.");
        assertThat(SettingNames.parse(KernelChoice.class, " Native ", "kernel"))
                .isEqualTo(KernelChoice.NATIVE);
    }

    @Test
    void shouldThrowOnArgumentsThatWouldReadOutsideTheArrays() {
        if (!GradientKernels.nativeAvailable()) {
            return;
        }
        NativeKernel kernel = new NativeKernel();
        HeadBatch head = new HeadBatch(2, 2, 2).setParameters(new float[6], new float[6]);
        head.setRows(2, new float[3], new int[] {0, 1});
        assertThatThrownBy(() -> kernel.forward(head))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features");
        head.setRows(2, new float[4], new int[] {0, 2});
        assertThatThrownBy(() -> kernel.backward(head)).hasMessageContaining("Action 2");
        head.setRows(2, new float[4], new int[] {0, 1}).setRewardModel(new float[5]);
        assertThatThrownBy(() -> kernel.predict(head))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The reward model biases array is too short: needs 2 from 4.");
        head.setRewardModel(new float[6]);
        kernel.predict(head);
        head.setRows(2, new float[3], new int[] {0, 1});
        assertThatThrownBy(() -> kernel.predict(head)).hasMessageContaining("features");
    }

    @Test
    void shouldAskForARewardModelBeforePredictingInEveryKernel() {
        for (KernelChoice choice : KernelChoice.values()) {
            if (choice == KernelChoice.NATIVE && !GradientKernels.nativeAvailable()) {
                continue;
            }
            HeadBatch head =
                    new HeadBatch(2, 2, 2)
                            .setParameters(new float[6], new float[6])
                            .setRows(2, new float[4], new int[] {0, 1});
            assertThat(head.actionValues()).isEmpty();
            assertThatThrownBy(() -> GradientKernels.create(choice).predict(head))
                    .as(choice.toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "The batch has no reward model to predict action values with: call"
                                    + " setRewardModel first.");
        }
    }
}
