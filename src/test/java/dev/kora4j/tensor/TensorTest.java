package dev.kora4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {
    private static Tensor iota(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) {
            t.storage().set(i, i);
        }
        return t;
    }

    @Test
    void creationFillsAsAsked() {
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(2, 3).toDoubleArray());
        assertArrayEquals(new double[] {1, 1}, Tensor.ones(2).toDoubleArray());
        assertArrayEquals(new double[] {2.5, 2.5, 2.5}, Tensor.full(2.5, 3).toDoubleArray());
        assertArrayEquals(new double[] {0, 1, 2, 3}, Tensor.arange(4).toDoubleArray());
        assertEquals(DType.F64, Tensor.zeros(DType.F64, Device.REFERENCE, 2).dtype());
        assertEquals(Device.REFERENCE, Tensor.zeros(DType.F64, Device.REFERENCE, 2).device());
        assertEquals(7.0, Tensor.scalar(7).item());
        assertEquals(0, Tensor.scalar(7).rank());
    }

    @Test
    void aTensorOnADeviceCannotHaveHeapStorage() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor(new FloatStorage(new float[3]), new int[] {3}, new int[] {1}, 0, Device.CUDA));
        assertEquals("a tensor on cuda cannot have storage on the heap", e.getMessage());
    }

    @Test
    void releasesRunWhenTheirStepEndsInOrderAndNeverOutsideOne() {
        List<String> ran = new ArrayList<>();
        assertFalse(BufferPool.releaseAtStepEnd(() -> ran.add("outside")));
        try (var step = new BufferPool().step()) {
            assertTrue(BufferPool.releaseAtStepEnd(() -> ran.add("first")));
            assertTrue(BufferPool.releaseAtStepEnd(() -> ran.add("second")));
            assertFalse(BufferPool.outside(() -> BufferPool.releaseAtStepEnd(() -> ran.add("suspended"))));
            assertEquals(List.of(), ran, "nothing runs before the step ends");
        }
        assertEquals(List.of("first", "second"), ran);
    }

    @Test
    void seededRandomTensorsRepeatAndDiffer() {
        Tensor a = Tensor.randn(new Rng(5), 1000);
        Tensor b = Tensor.randn(new Rng(5), 1000);
        Tensor c = Tensor.randn(new Rng(6), 1000);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertFalse(java.util.Arrays.equals(a.toFloatArray(), c.toFloatArray()));
        double mean = a.mean().item(), var = a.sub(mean).pow(2).mean().item();
        assertEquals(0, mean, 0.1);
        assertEquals(1, var, 0.15);
        Tensor u = Tensor.uniform(new Rng(1), -2, 3, 1000);
        for (double v : u.toDoubleArray()) {
            assertTrue(v >= -2 && v < 3);
        }
    }

    @Test
    void reshapeOfContiguousIsAView() {
        Tensor t = iota(2, 3);
        Tensor r = t.reshape(3, -1);
        assertArrayEquals(new int[] {3, 2}, r.shape());
        assertSame(t.storage(), r.storage());
        assertEquals(5.0, r.get(2, 1));
    }

    @Test
    void transposeAndPermuteSwapStrides() {
        Tensor t = iota(2, 3, 4);
        Tensor p = t.permute(2, 0, 1);
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertEquals(t.get(1, 2, 3), p.get(3, 1, 2));
        assertFalse(p.isContiguous());
        Tensor c = p.contiguous();
        assertTrue(c.isContiguous());
        assertNotEquals(t.storage(), c.storage());
        assertEquals(t.get(1, 0, 2), c.get(2, 1, 0));
        assertEquals(t.get(0, 2, 1), t.transpose(0, 1).get(2, 0, 1));
    }

    @Test
    void reshapeOfNonContiguousCopies() {
        Tensor t = iota(2, 3).t();
        Tensor r = t.reshape(6);
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, r.toDoubleArray());
    }

    @Test
    void narrowSelectAndSqueeze() {
        Tensor t = iota(3, 4);
        Tensor n = t.narrow(1, 1, 2);
        assertArrayEquals(new double[] {1, 2, 5, 6, 9, 10}, n.toDoubleArray());
        assertSame(t.storage(), n.storage());
        assertArrayEquals(new double[] {8, 9, 10, 11}, t.select(0, 2).toDoubleArray());
        assertArrayEquals(new double[] {2, 6, 10}, t.select(1, 2).toDoubleArray());
        assertArrayEquals(new int[] {3, 1, 4}, t.unsqueeze(1).shape());
        assertArrayEquals(new int[] {3, 4}, t.unsqueeze(1).squeeze(1).shape());
        assertArrayEquals(new int[] {3, 4, 1}, t.unsqueeze(-1).shape());
    }

    @Test
    void expandBroadcastsWithZeroStrides() {
        Tensor row = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor e = row.expand(2, 3);
        assertArrayEquals(new double[] {1, 2, 3, 1, 2, 3}, e.toDoubleArray());
        assertEquals(0, e.stride(0));
        Tensor col = Tensor.of(new float[] {1, 2}, 2, 1).expand(2, 3);
        assertArrayEquals(new double[] {1, 1, 1, 2, 2, 2}, col.toDoubleArray());
    }

    @Test
    void shapeErrorsNameTheOpAndBothShapes() {
        var e = assertThrows(Shape.ShapeMismatchException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2,3]") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(Shape.ShapeMismatchException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().startsWith("matmul: shapes [2,3] and [2,3]"), e.getMessage());
        e = assertThrows(Shape.ShapeMismatchException.class, () -> Tensor.zeros(2, 3).reshape(4));
        assertTrue(e.getMessage().contains("reshape") && e.getMessage().contains("[2,3]"), e.getMessage());
        e = assertThrows(Shape.ShapeMismatchException.class, () -> Tensor.zeros(2, 3).expand(2, 4));
        assertTrue(e.getMessage().contains("expand"), e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).narrow(1, 2, 2));
        assertTrue(bad.getMessage().contains("narrow"), bad.getMessage());
    }

    @Test
    void elementAccessAndItem() {
        Tensor t = Tensor.zeros(2, 2);
        t.set(4.5, 1, 0);
        assertEquals(4.5, t.get(1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IllegalStateException.class, t::item);
        assertEquals(4.5, t.sum().item());
    }

    @Test
    void toStringShowsValuesShapeAndDtype() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertEquals("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2,2], dtype=F32, device=cpu)", t.toString());
        String longRow = Tensor.arange(10).toString();
        assertTrue(longRow.startsWith("tensor([0.0000, 1.0000, 2.0000, ..., 7.0000, 8.0000, 9.0000]"), longRow);
        assertTrue(Tensor.ones(2).requiresGrad(true).mul(2).toString().endsWith("grad_fn=mul_scalar)"));
    }

    @Test
    void conversionsCopyBetweenDevicesAndDtypes() {
        Tensor t = Tensor.of(new float[] {1.5f, -2}, 2);
        Tensor r = t.to(Device.REFERENCE);
        assertEquals(Device.REFERENCE, r.device());
        assertArrayEquals(t.toDoubleArray(), r.toDoubleArray());
        Tensor d = t.to(DType.F64);
        assertEquals(DType.F64, d.dtype());
        assertArrayEquals(t.toDoubleArray(), d.toDoubleArray());
        assertSame(t, t.to(Device.CPU));
    }

    @Test
    void rngStateRoundTrips() {
        Rng a = new Rng(9);
        a.nextLong();
        long[] state = a.state();
        long next = a.nextLong();
        Rng b = new Rng(0);
        b.restore(state);
        assertEquals(next, b.nextLong());
        int[] p = new Rng(3).permutation(10);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, java.util.Arrays.stream(p).sorted().toArray());
    }
}
