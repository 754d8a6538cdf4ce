package dev.kora4j.report;

import dev.kora4j.metrics.CkaMatrix;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.ImagePredictions;
import dev.kora4j.metrics.ParamCount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An experiment shaped like the seed's: LoRA and KoRA on CIFAR-100, then a collapsed Tiny ImageNet "transfer". */
final class SampleRuns {
    private SampleRuns() {}

    /** n samples of 100 classes with {@code correct} of them right (class i%100, wrong ones shifted by one). */
    static Evaluation spread(int n, int correct, double loss) {
        int[] labels = new int[n], predicted = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 100;
            predicted[i] = i < correct ? labels[i] : (labels[i] + 1) % 100;
        }
        return Evaluation.of(new ImagePredictions(labels, predicted), 100, loss);
    }

    /** n samples all labelled 0 (as timm labels Tiny ImageNet's val/images), {@code correct} predicted 0. */
    static Evaluation collapsed(int n, int correct, double loss) {
        int[] labels = new int[n], predicted = new int[n];
        for (int i = 0; i < n; i++) {
            predicted[i] = i < correct ? 0 : 1 + i % 199;
        }
        return Evaluation.of(new ImagePredictions(labels, predicted), 200, loss);
    }

    static List<EpochMetrics> epochs(double[] trainLoss, double[] valLoss, double[] valAcc, double[] valF1) {
        List<EpochMetrics> out = new ArrayList<>();
        for (int i = 0; i < trainLoss.length; i++) {
            out.add(new EpochMetrics(i + 1, trainLoss[i], valLoss[i], valAcc[i], valF1[i], 600.5 + i));
        }
        return out;
    }

    static Map<String, String> config(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static CkaMatrix cka(double a, double b, double c) {
        return new CkaMatrix(List.of("Block 0", "Block 6", "Block 11"), new double[][] {{1, a, b}, {a, 1, c}, {b, c, 1}});
    }

    static final String KORA = "KoRA (d_comp=4)";
    static final String LORA = "LoRA (r=8)";

    static Experiment seedLike() {
        RunResult koraSource = new RunResult(KORA, RunResult.Phase.SOURCE, "cifar100", 0,
                config("lr", "1e-4", "epochs", "5", "batch", "32"), new ParamCount(1_590_224, 88_157_880),
                epochs(new double[] {1.3941, 0.6025, 0.4893, 0.4198, 0.3680}, new double[] {0.7279, 0.6198, 0.5781, 0.5689, 0.5461},
                        new double[] {0.7970, 0.8218, 0.8331, 0.8338, 0.8408}, new double[] {0.7970, 0.8211, 0.8326, 0.8337, 0.8409}),
                spread(10000, 8408, 0.5461), cka(0.5006395, 0.39740276, 0.75948519), 3071.9, List.of());
        RunResult loraSource = new RunResult(LORA, RunResult.Phase.SOURCE, "cifar100", 0,
                config("lr", "1e-4", "epochs", "5", "batch", "32"), new ParamCount(1_270_692, 87_838_348),
                epochs(new double[] {1.1, 0.5, 0.35, 0.3, 0.25}, new double[] {0.45, 0.36, 0.31, Double.NaN, 0.28},
                        new double[] {0.88, 0.90, 0.915, 0.92, 0.9248}, new double[] {0.879, 0.899, 0.914, 0.919, 0.924}),
                spread(10000, 9248, 0.28), cka(0.45, 0.41, 0.73), 3300, List.of());
        RunResult koraTransfer = new RunResult(KORA, RunResult.Phase.TRANSFER, "tinyimagenet", 0,
                config("lr", "1e-3", "protocol", "seed"), new ParamCount(153_800, 88_234_780),
                epochs(new double[] {0.2}, new double[] {0.05}, new double[] {0.9834}, new double[] {0.99163}),
                collapsed(10000, 9834, 0.05), null, 120, List.of("trained the head on the first 1000 paths, as the seed does"));
        RunResult loraTransfer = new RunResult(LORA, RunResult.Phase.TRANSFER, "tinyimagenet", 0,
                config("lr", "1e-3", "protocol", "seed"), new ParamCount(153_800, 87_915_248), List.of(),
                collapsed(10000, 7104, Double.NaN), null, Double.NaN, List.of());
        Map<String, String> settings = config("model", "vit_base_patch16_224", "device", "cpu", "threads", "2");
        return new Experiment("KoRA vs LoRA, seed protocol", settings, List.of(loraSource, koraSource, loraTransfer, koraTransfer),
                List.of("the CIFAR-100 test split doubles as validation, as in the seed"));
    }
}
