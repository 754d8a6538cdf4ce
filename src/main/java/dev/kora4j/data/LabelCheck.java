package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Refuses a split whose labels cannot measure classification: fewer than 2 distinct labels, or a
 * class count that disagrees with the head. The seed's Tiny ImageNet transfer ran on a split whose
 * labels were all 0, and reported the collapse as 97 % accuracy; this check makes that impossible
 * under the corrected protocol and loud under the seed protocol.
 */
public final class LabelCheck {
    private LabelCheck() {}

    /**
     * Checks one split. Under {@link Protocol#CORRECTED} a problem throws InputException; under
     * {@link Protocol#SEED} it is returned as a warning text for the caller to log and repeat in the
     * report. Returns empty when the split is sound.
     *
     * @param what a label for messages, e.g. "Tiny ImageNet train"
     * @param headSize the number of outputs of the classifier head that will be trained or evaluated on it
     */
    public static Optional<String> check(Dataset split, String what, int headSize, Protocol protocol) {
        List<String> problems = new ArrayList<>();
        int[] counts = split.classCounts();
        int distinct = 0;
        int only = -1;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                distinct++;
                only = c;
            }
        }
        if (split.size() == 0) {
            problems.add("it has no items");
        } else if (distinct < 2) {
            problems.add("all " + split.size() + " labels are " + only + " (class \"" + split.className(only)
                    + "\"); a split needs at least 2 distinct labels to measure anything. A single-label split is what made the"
                    + " seed's Tiny ImageNet transfer numbers meaningless: timm's ImageDataset labelled every image by its parent"
                    + " folder \"images\", so every label was 0 and \"accuracy\" measured collapse onto class 0");
        }
        if (split.numClasses() != headSize) {
            problems.add("it has " + split.numClasses() + (split.numClasses() == 1 ? " class" : " classes") + " but the classifier head has " + headSize + " outputs");
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        String text = what + " (" + split.name() + "): " + String.join("; and ", problems);
        if (protocol == Protocol.CORRECTED) {
            throw new InputException(text);
        }
        return Optional.of("warning (seed protocol, reproduced on purpose): " + text);
    }
}
