package dev.kora4j.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated header: the tensors in offset order, the {@code __metadata__} entries in file order,
 * and where the data section starts in the file (8 + header length).
 */
record Header(List<TensorInfo> tensors, Map<String, String> metadata, long dataStart) {
    Header {
        tensors = List.copyOf(tensors);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
