package dev.kora4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing then reading gives back every dtype's values, shapes and metadata unchanged. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void floatTensorsScalarsAndEmptyTensorsRoundTrip() {
        Path file = dir.resolve("t.safetensors");
        Tensor w = Tensor.of(new float[] {1, -2, 3.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f}, 2, 3);
        Tensor d = Tensor.of(new double[] {Math.PI, -1e300, 0, Double.MIN_VALUE}, 4);
        Tensor scalar = Tensor.of(new float[] {7.25f});
        Tensor empty = Tensor.of(new float[0], 0, 3);
        Map<String, Object> tensors = new LinkedHashMap<>();
        tensors.put("w", w);
        tensors.put("d", d);
        tensors.put("loss", scalar);
        tensors.put("empty", empty);
        Safetensors.write(file, tensors, Map.of("format", "pt", "note", "ünïcode = fine"));

        try (SafetensorsFile st = Safetensors.open(file)) {
            assertEquals(Map.of("format", "pt", "note", "ünïcode = fine"), st.metadata());
            Tensor w2 = st.tensor("w");
            assertEquals(DType.F32, w2.dtype());
            assertArrayEquals(new int[] {2, 3}, w2.shape());
            assertArrayEquals(w.toFloatArray(), w2.toFloatArray());
            Tensor d2 = st.tensor("d");
            assertEquals(DType.F64, d2.dtype());
            assertArrayEquals(d.toDoubleArray(), d2.toDoubleArray());
            Tensor s2 = st.tensor("loss");
            assertArrayEquals(new int[0], s2.shape());
            assertEquals(7.25, s2.item());
            assertEquals(0, st.info("loss").shape().length);
            Tensor e2 = st.tensor("empty");
            assertArrayEquals(new int[] {0, 3}, e2.shape());
            assertEquals(st.info("empty").begin(), st.info("empty").end());
        }
    }

    @Test
    void integerArraysRoundTrip() {
        Path file = dir.resolve("batch.safetensors");
        long[] labels = {0, 9, 3, Long.MAX_VALUE, -5};
        int[] ids = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 42};
        Safetensors.write(file, Map.of("labels", RawTensor.ofLongs(labels, 5), "ids", RawTensor.ofInts(ids, 2, 3)));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertEquals(SafetensorsDtype.I64, st.info("labels").dtype());
            assertArrayEquals(labels, st.longs("labels"));
            assertEquals(SafetensorsDtype.I32, st.info("ids").dtype());
            assertArrayEquals(new long[] {2, 3}, st.info("ids").shape());
            assertArrayEquals(ids, st.ints("ids"));
            assertArrayEquals(new long[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 42}, st.longs("ids"));
            SafetensorsException tooBig = assertThrows(SafetensorsException.class, () -> st.ints("labels"));
            assertTrue(tooBig.getMessage().contains("element 3"), tooBig.getMessage());
        }
    }

    @Test
    void labelsThatFitAreReadAsInts() {
        Path file = dir.resolve("labels.safetensors");
        Safetensors.write(file, Map.of("labels", RawTensor.ofLongs(new long[] {3, 1, 4}, 3)));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertArrayEquals(new int[] {3, 1, 4}, st.ints("labels"));
        }
    }

    @Test
    void halfPrecisionIsConvertedToF32() {
        float[] values = {1f, -2.5f, 65504f, 0.000061035156f, 5.9604645e-8f, Float.POSITIVE_INFINITY, -0f, 0.333251953125f};
        short[] f16 = new short[values.length];
        short[] bf16 = new short[values.length];
        float[] bfValues = {1f, -2.5f, 3.3895314e38f, 1e-38f, 0.333984375f, Float.NEGATIVE_INFINITY, -0f, 256f};
        for (int i = 0; i < values.length; i++) {
            f16[i] = Float.floatToFloat16(values[i]);
            bf16[i] = (short) (Float.floatToRawIntBits(bfValues[i]) >>> 16);
        }
        Path file = dir.resolve("half.safetensors");
        Safetensors.write(file, Map.of(
                "h", new RawTensor(SafetensorsDtype.F16, new long[] {2, 4}, StFiles.i16(f16)),
                "b", new RawTensor(SafetensorsDtype.BF16, new long[] {8}, StFiles.i16(bf16))));
        try (SafetensorsFile st = Safetensors.open(file)) {
            Tensor h = st.tensor("h");
            assertEquals(DType.F32, h.dtype());
            assertArrayEquals(new int[] {2, 4}, h.shape());
            assertArrayEquals(values, h.toFloatArray());
            float[] expectedBf = bfValues.clone();
            expectedBf[3] = Float.intBitsToFloat(Float.floatToRawIntBits(1e-38f) & 0xFFFF0000);
            assertArrayEquals(expectedBf, st.tensor("b").toFloatArray());
        }
    }

    @Test
    void u8AndBoolAreReadAsIntegers() {
        Path file = dir.resolve("bytes.safetensors");
        Safetensors.write(file, Map.of(
                "u", new RawTensor(SafetensorsDtype.U8, new long[] {4}, new byte[] {0, 1, (byte) 200, (byte) 255}),
                "mask", new RawTensor(SafetensorsDtype.BOOL, new long[] {2, 2}, new byte[] {1, 0, 0, 1})));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertArrayEquals(new int[] {0, 1, 200, 255}, st.ints("u"));
            assertArrayEquals(new long[] {1, 0, 0, 1}, st.longs("mask"));
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> st.tensor("u"));
            assertTrue(e.getMessage().contains("longs() or ints()"), e.getMessage());
        }
    }

    @Test
    void everyDtypeKeepsItsBytesAndEntry() {
        Random random = new Random(3);
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        for (SafetensorsDtype dtype : SafetensorsDtype.values()) {
            byte[] bytes = new byte[4 * dtype.bits() / 8]; // shape [2,2]: whole bytes even for F4 and F6
            random.nextBytes(bytes);
            tensors.put("t_" + dtype, new RawTensor(dtype, new long[] {2, 2}, bytes));
        }
        Path file = dir.resolve("all.safetensors");
        Safetensors.write(file, tensors, null);
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertEquals(tensors.size(), st.names().size());
            for (Map.Entry<String, RawTensor> entry : tensors.entrySet()) {
                assertEquals(entry.getValue(), st.raw(entry.getKey()), entry.getKey());
                assertEquals(entry.getValue().dtype(), st.info(entry.getKey()).dtype());
            }
        }
    }

    @Test
    void dtypesWithoutValueSupportGiveAClearError() {
        Path file = dir.resolve("i8.safetensors");
        Safetensors.write(file, Map.of("q", new RawTensor(SafetensorsDtype.I8, new long[] {2}, new byte[] {1, -1})));
        try (SafetensorsFile st = Safetensors.open(file)) {
            for (var read : List.<Runnable>of(() -> st.tensor("q"), () -> st.longs("q"), () -> st.ints("q"))) {
                SafetensorsException e = assertThrows(SafetensorsException.class, read::run);
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                assertTrue(e.getMessage().contains("'q'") && e.getMessage().contains("I8") && e.getMessage().contains("cannot read"),
                        e.getMessage());
            }
        }
    }

    @Test
    void viewsAreWrittenInRowMajorOrder() {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor transposed = base.t();
        Tensor row = base.select(0, 1);
        Path file = dir.resolve("views.safetensors");
        Safetensors.write(file, Map.of("t", transposed, "row", row));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertArrayEquals(new int[] {3, 2}, st.tensor("t").shape());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, st.tensor("t").toFloatArray());
            assertArrayEquals(new float[] {4, 5, 6}, st.tensor("row").toFloatArray());
        }
    }

    @Test
    void largeTensorsAreWrittenInChunks() {
        float[] values = new float[700_000]; // 2.8 MB: more than one write buffer
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        Path file = dir.resolve("large.safetensors");
        Safetensors.write(file, Map.of("x", Tensor.of(values, 700, 1000)));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertArrayEquals(values, st.tensor("x").toFloatArray());
        }
    }

    @Test
    void aMissingTensorNameIsReportedWithTheFile() {
        Path file = dir.resolve("one.safetensors");
        Safetensors.write(file, Map.of("a", Tensor.of(new float[] {1}, 1)));
        try (SafetensorsFile st = Safetensors.open(file)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> st.tensor("b"));
            assertEquals(file + ": has no tensor 'b' (it has 1 tensor: a)", e.getMessage());
        }
    }

    @Test
    void readsAfterCloseFail() {
        Path file = dir.resolve("closed.safetensors");
        Safetensors.write(file, Map.of("a", Tensor.of(new float[] {1}, 1)));
        SafetensorsFile st = Safetensors.open(file);
        Tensor before = st.tensor("a");
        st.close();
        st.close(); // closing twice is harmless
        assertEquals(1.0, before.item());
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> st.tensor("a"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void anEmptyFileOfTensorsRoundTrips() throws Exception {
        Path file = dir.resolve("none.safetensors");
        Safetensors.write(file, Map.of());
        assertEquals(16, Files.size(file)); // prefix, then "{}" padded to 8
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertTrue(st.names().isEmpty());
            assertTrue(st.metadata().isEmpty());
        }
    }
}
