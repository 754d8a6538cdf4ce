package dev.kora4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Accuracy and F1 against scikit-learn: test-data/metrics/f1_cases.json holds labels, predictions and
 * what accuracy_score, f1_score(average='macro'/'weighted') and precision_recall_fscore_support
 * returned for them (made by make_metrics_fixtures.py beside it).
 */
class ConfusionMatrixTest {
    static final Path CASES = Path.of("test-data", "metrics", "f1_cases.json");
    static final double TOL = 1e-12;

    static List<JsonNode> fixtures() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(CASES.toFile()).get("cases").forEach(out::add);
        return out;
    }

    /** (case name, case), so that a failure names the case. */
    static Stream<Arguments> cases() throws IOException {
        return fixtures().stream().map(c -> Arguments.of(c.get("name").asText(), c));
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesScikitLearn(String name, JsonNode c) {
        int k = c.get("num_classes").asInt();
        ConfusionMatrix cm = ConfusionMatrix.of(ints(c.get("y_true")), ints(c.get("y_pred")), k);
        assertEquals(c.get("accuracy").asDouble(), cm.accuracy(), TOL, name + ": accuracy");
        assertEquals(c.get("f1_macro").asDouble(), cm.macroF1(), TOL, name + ": macro F1");
        assertEquals(c.get("f1_weighted").asDouble(), cm.weightedF1(), TOL, name + ": weighted F1");
        for (int cls = 0; cls < k; cls++) {
            assertEquals(c.get("precision").get(cls).asDouble(), cm.precision(cls), TOL, name + ": precision of class " + cls);
            assertEquals(c.get("recall").get(cls).asDouble(), cm.recall(cls), TOL, name + ": recall of class " + cls);
            assertEquals(c.get("f1").get(cls).asDouble(), cm.f1(cls), TOL, name + ": F1 of class " + cls);
            assertEquals(c.get("support").get(cls).asLong(), cm.support(cls), name + ": support of class " + cls);
        }
        Evaluation e = Evaluation.of(cm, Double.NaN);
        assertEquals(cm.weightedF1(), e.weightedF1());
        assertEquals(cm.total(), e.samples());
    }

    /** Every fixture whose true labels are one class shows F1 = 2·acc/(1+acc); no other one does by accident. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void collapseIdentityHoldsExactlyWhenLabelsCollapse(String name, JsonNode c) {
        int[] truth = ints(c.get("y_true"));
        ConfusionMatrix cm = ConfusionMatrix.of(truth, ints(c.get("y_pred")), c.get("num_classes").asInt());
        LabelCollapse check = cm.labelCheck();
        assertEquals(LabelCollapse.of(truth), check);
        boolean oneClass = java.util.Arrays.stream(truth).distinct().count() == 1;
        assertEquals(oneClass, check.collapsed());
        if (oneClass) {
            assertEquals(truth[0], check.label());
            double sklearnF1 = c.get("f1_weighted").asDouble();
            assertEquals(LabelCollapse.identityF1(c.get("accuracy").asDouble()), sklearnF1, 1e-12);
            assertTrue(Evaluation.of(cm, Double.NaN).showsCollapseIdentity());
        }
    }

    @Test
    void fixturesCoverTheZeroDivisionCases() throws IOException {
        List<String> names = fixtures().stream().map(c -> c.get("name").asText()).toList();
        assertTrue(names.containsAll(List.of("class_never_predicted", "predicted_class_absent_from_truth",
                "classes_absent_from_both", "all_true_labels_one_class", "collapse_zero_accuracy")), names.toString());
    }

    @Test
    void classesThatOccurNowhereAreLeftOutOfTheMacroMean() {
        // Classes 2 and 3 never occur: the macro mean is over classes 0 and 1 only, as sklearn's default labels.
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, 4);
        assertEquals(1.0, cm.macroF1());
        assertFalse(cm.occurs(2));
        // A class that is only predicted counts, with F1 0; its weight in the weighted mean is 0.
        cm = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 3}, 4);
        assertEquals((1.0 + 0 + 0) / 3, cm.macroF1(), TOL);
        assertEquals(0.5, cm.weightedF1(), TOL);
        assertEquals(0.0, cm.precision(3));
        assertEquals(0.0, cm.recall(3));
    }

    @Test
    void batchesAddUpAndMerge() {
        int[] t = {0, 1, 2, 2, 1, 0, 2};
        int[] p = {0, 2, 2, 1, 1, 0, 0};
        ConfusionMatrix whole = ConfusionMatrix.of(t, p, 3);
        ConfusionMatrix a = new ConfusionMatrix(3);
        a.addAll(new int[] {0, 1, 2}, new int[] {0, 2, 2});
        ConfusionMatrix b = new ConfusionMatrix(3);
        b.add(2, 1);
        b.addAll(new int[] {1, 0, 2}, new int[] {1, 0, 0});
        a.merge(b);
        assertEquals(whole.total(), a.total());
        assertEquals(whole.weightedF1(), a.weightedF1());
        assertEquals(whole.macroF1(), a.macroF1());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(whole.count(i, j), a.count(i, j));
            }
        }
    }

    @Test
    void rejectsLabelsOutOfRangeWithoutCountingAnything() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cm.addAll(new int[] {0, 1, 3}, new int[] {0, 1, 1}));
        assertEquals("true label 3 at index 2 is outside [0, 3)", e.getMessage());
        assertEquals(0, cm.total());
        assertThrows(IllegalArgumentException.class, () -> cm.add(0, -1));
        assertThrows(IllegalArgumentException.class, () -> cm.addAll(new int[] {0}, new int[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(0));
        assertThrows(IllegalArgumentException.class, () -> cm.merge(new ConfusionMatrix(4)));
    }

    @Test
    void noSamplesGiveNaN() {
        ConfusionMatrix cm = new ConfusionMatrix(5);
        assertTrue(Double.isNaN(cm.accuracy()));
        assertTrue(Double.isNaN(cm.weightedF1()));
        assertTrue(Double.isNaN(cm.macroF1()));
        assertEquals(new LabelCollapse(0, -1), cm.labelCheck());
    }
}
