package dev.kora4j.tensor;

import dev.kora4j.autograd.Backprop;
import dev.kora4j.autograd.Node;
import dev.kora4j.ops.Arithmetic;
import dev.kora4j.ops.Copies;
import dev.kora4j.ops.Dropout;
import dev.kora4j.ops.MatMul;
import dev.kora4j.ops.Pointwise;
import dev.kora4j.ops.Reductions;
import dev.kora4j.ops.Softmax;
import dev.kora4j.ops.Views;
import java.util.Arrays;

/**
 * An n-dimensional array: a storage plus shape, strides and offset (so views share memory), a
 * device, and the autograd state (requiresGrad, grad, and the node that made it).
 *
 * <p>Methods that compute return new tensors and record themselves on the tape when gradients are
 * wanted; the op families in {@code dev.kora4j.ops} hold the forward and backward rules.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;
    private final Device device;

    private boolean requiresGrad;
    private Tensor grad;
    /** A gradient {@link #recycleGrad} dropped, whose buffer the next backward may write into. */
    private Tensor spareGrad;
    private Node gradFn;

    public Tensor(Storage storage, int[] shape, int[] strides, int offset, Device device) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Shape.format(shape) + " and strides " + Shape.format(strides) + " differ in rank");
        }
        // A tensor labelled with a device its storage is not on reaches that device's backend with
        // memory it cannot address: refuse it where it is made, not at a later kernel.
        if (storage instanceof DeviceStorage ds ? ds.device() != device : !device.onHeap()) {
            throw new IllegalArgumentException("a tensor on " + device + " cannot have storage on "
                    + (storage instanceof DeviceStorage ds ? ds.device() : "the heap"));
        }
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
        this.device = device;
    }

    // ---- creation ----------------------------------------------------------------------------

    /** A new zero-filled contiguous tensor. */
    public static Tensor zeros(DType dtype, Device device, int... shape) {
        return new Tensor(Storage.allocate(dtype, device, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0, device);
    }

    /**
     * A new contiguous tensor whose contents the caller will overwrite: inside a {@link BufferPool}
     * step its F32 array may come from the pool with old contents; otherwise it is zero-filled.
     */
    public static Tensor empty(DType dtype, Device device, int... shape) {
        int n = Shape.numel(shape);
        if (!device.onHeap()) {
            Storage storage = DeviceStorageFactory.of(device).allocate(dtype, n, false);
            return new Tensor(storage, shape, Shape.contiguousStrides(shape), 0, device);
        }
        Storage storage = dtype == DType.F32 ? new FloatStorage(BufferPool.floats(n)) : Storage.allocate(dtype, n);
        return new Tensor(storage, shape, Shape.contiguousStrides(shape), 0, device);
    }

    /** A zero-filled contiguous tensor that, like {@link #empty}'s, may come from an open {@link BufferPool} step. */
    public static Tensor pooledZeros(DType dtype, Device device, int... shape) {
        if (dtype != DType.F32 || !device.onHeap()) {
            return zeros(dtype, device, shape); // device memory comes zeroed from its own allocator
        }
        return new Tensor(new FloatStorage(BufferPool.zeroedFloats(Shape.numel(shape))), shape, Shape.contiguousStrides(shape), 0, device);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, Device.CPU, shape);
    }

    public static Tensor full(double value, DType dtype, Device device, int... shape) {
        return filled(dtype, device, shape, i -> value);
    }

    /**
     * A new contiguous tensor whose i-th element is {@code value(i)}, called in order i = 0, 1, ...
     * Off-heap devices get the values in one transfer rather than one per element.
     */
    private static Tensor filled(DType dtype, Device device, int[] shape, java.util.function.IntToDoubleFunction value) {
        Tensor t = zeros(dtype, device.onHeap() ? device : Device.CPU, shape);
        for (int i = 0; i < t.storage.size(); i++) {
            t.storage.set(i, value.applyAsDouble(i));
        }
        if (device.onHeap()) {
            return t;
        }
        Tensor out = zeros(dtype, device, shape);
        ((DeviceStorage) out.storage).write(t.toFloatArray());
        return out;
    }

    public static Tensor full(double value, int... shape) {
        return full(value, DType.F32, Device.CPU, shape);
    }

    public static Tensor ones(int... shape) {
        return full(1.0, shape);
    }

    public static Tensor ones(DType dtype, Device device, int... shape) {
        return full(1.0, dtype, device, shape);
    }

    /** 0, 1, ..., n-1 as a vector. */
    public static Tensor arange(int n, DType dtype, Device device) {
        return filled(dtype, device, new int[] {n}, i -> i);
    }

    public static Tensor arange(int n) {
        return arange(n, DType.F32, Device.CPU);
    }

    /** Wraps (does not copy) an array as a contiguous F32 tensor on the cpu device. */
    public static Tensor of(float[] data, int... shape) {
        checkLength(data.length, shape);
        return new Tensor(new FloatStorage(data), shape, Shape.contiguousStrides(shape), 0, Device.CPU);
    }

    /** Wraps (does not copy) an array as a contiguous F64 tensor on the cpu device. */
    public static Tensor of(double[] data, int... shape) {
        checkLength(data.length, shape);
        return new Tensor(new DoubleStorage(data), shape, Shape.contiguousStrides(shape), 0, Device.CPU);
    }

    /** A scalar (shape []) F32 tensor. */
    public static Tensor scalar(double value) {
        return full(value, DType.F32, Device.CPU);
    }

    private static void checkLength(int length, int[] shape) {
        if (length != Shape.numel(shape)) {
            throw new IllegalArgumentException("data of " + length + " elements does not fill shape " + Shape.format(shape));
        }
    }

    /** Uniform in [lo, hi), drawn in storage order from {@code rng}. */
    public static Tensor uniform(Rng rng, double lo, double hi, DType dtype, Device device, int... shape) {
        return filled(dtype, device, shape, i -> lo + (hi - lo) * rng.nextDouble());
    }

    public static Tensor uniform(Rng rng, double lo, double hi, int... shape) {
        return uniform(rng, lo, hi, DType.F32, Device.CPU, shape);
    }

    /** Uniform in [0, 1). */
    public static Tensor rand(Rng rng, int... shape) {
        return uniform(rng, 0, 1, shape);
    }

    /** Normal with the given mean and standard deviation, drawn in storage order from {@code rng}. */
    public static Tensor normal(Rng rng, double mean, double std, DType dtype, Device device, int... shape) {
        return filled(dtype, device, shape, i -> mean + std * rng.nextGaussian());
    }

    /** Standard normal. */
    public static Tensor randn(Rng rng, int... shape) {
        return normal(rng, 0, 1, DType.F32, Device.CPU, shape);
    }

    public static Tensor randn(Rng rng, DType dtype, Device device, int... shape) {
        return normal(rng, 0, 1, dtype, device, shape);
    }

    // ---- layout ------------------------------------------------------------------------------

    public Storage storage() {
        return storage;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return device;
    }

    public int rank() {
        return shape.length;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size(int dim) {
        return shape[Shape.dim("size", dim, shape.length)];
    }

    public int[] strides() {
        return strides.clone();
    }

    public int stride(int dim) {
        return strides[Shape.dim("stride", dim, shape.length)];
    }

    public int offset() {
        return offset;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    /** Row-major with no gaps (dimensions of size 1 may have any stride). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** The array behind an F32 tensor (elements start at {@link #offset()}). */
    public float[] floats() {
        if (!(storage instanceof FloatStorage fs)) {
            throw new IllegalStateException("tensor of dtype " + dtype() + " on " + device + " has no float array");
        }
        return fs.data();
    }

    /** The array behind an F64 tensor (elements start at {@link #offset()}). */
    public double[] doubles() {
        if (!(storage instanceof DoubleStorage ds)) {
            throw new IllegalStateException("tensor of dtype " + dtype() + " on " + device + " has no double array");
        }
        return ds.data();
    }

    /** Storage index of the element at {@code index}. */
    public int storageIndex(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for a tensor of shape " + Shape.format(shape));
        }
        int at = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is outside shape " + Shape.format(shape));
            }
            at += index[i] * strides[i];
        }
        return at;
    }

    // ---- element access (tests, small host-side work) ----------------------------------------

    public double get(int... index) {
        return storage.get(storageIndex(index));
    }

    /** Writes one element in place; not recorded by autograd. */
    public void set(double value, int... index) {
        storage.set(storageIndex(index), value);
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs a one-element tensor, got shape " + Shape.format(shape));
        }
        return storage.get(offset);
    }

    /** All elements in row-major order, as doubles. */
    public double[] toDoubleArray() {
        // Off-heap storage comes to the heap in one transfer, then is walked like any other.
        Storage storage = this.storage instanceof DeviceStorage ds ? new FloatStorage(ds.read()) : this.storage;
        double[] out = new double[numel()];
        int[] index = new int[shape.length];
        for (int i = 0; i < out.length; i++) {
            int at = offset;
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * strides[d];
            }
            out[i] = storage.get(at);
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        return out;
    }

    /** All elements in row-major order, as floats. */
    public float[] toFloatArray() {
        double[] values = toDoubleArray();
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    // ---- autograd ----------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as a tensor to differentiate with respect to (or freezes it with false). */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad can only be set on a leaf tensor (this one was made by " + gradFn.op() + ")");
        }
        requiresGrad = value;
        return this;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    public Node gradFn() {
        return gradFn;
    }

    /** Attaches the node that produced this tensor (called by the ops when they record). */
    public void attachGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** The accumulated gradient of a leaf, or null before any backward reached it. */
    public Tensor grad() {
        return grad;
    }

    /** Sets or clears the gradient buffer (optimizers and zeroing use this). */
    public void setGrad(Tensor grad) {
        this.grad = grad;
    }

    /** Forgets the accumulated gradient. */
    public void zeroGrad() {
        this.grad = null;
        this.spareGrad = null;
    }

    /**
     * Forgets the accumulated gradient like {@link #zeroGrad}, but keeps its buffer for the next
     * backward to write the new gradient into, so that training steps do not allocate gradients
     * anew. Only for owners of the gradient (optimizers): the dropped tensor will be overwritten.
     */
    public void recycleGrad() {
        if (grad != null) {
            spareGrad = grad;
        }
        grad = null;
    }

    /** The buffer {@link #recycleGrad} kept, handed over once (null when there is none). */
    public Tensor takeSpareGrad() {
        Tensor spare = spareGrad;
        spareGrad = null;
        return spare;
    }

    /** Backward from a one-element tensor (gradient 1). */
    public void backward() {
        Backprop.run(this, null, false);
    }

    /** Backward with a given gradient of the same shape as this tensor. */
    public void backward(Tensor gradient) {
        Backprop.run(this, gradient, false);
    }

    /** Backward that keeps the saved tensors, so that backward can run through the graph again. */
    public void backward(Tensor gradient, boolean retainGraph) {
        Backprop.run(this, gradient, retainGraph);
    }

    /** The same data, cut from the tape. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset, device);
    }

    // ---- views (share storage) ---------------------------------------------------------------

    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    public Tensor permute(int... order) {
        return Views.permute(this, order);
    }

    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /** Transpose of a matrix (the last two dims). */
    public Tensor t() {
        return Views.transpose(this, -2, -1);
    }

    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /** The slice at {@code index} along {@code dim}, with that dim removed. */
    public Tensor select(int dim, int index) {
        return Views.select(this, dim, index);
    }

    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    public Tensor flatten() {
        return Views.reshape(this, numel());
    }

    /** This tensor if it is contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : Copies.contiguous(this);
    }

    /** A contiguous copy on another device (same dtype), differentiable. */
    public Tensor to(Device target) {
        return Copies.to(this, target);
    }

    /** A contiguous copy in another dtype, differentiable. */
    public Tensor to(DType target) {
        return Copies.to(this, target);
    }

    // ---- arithmetic --------------------------------------------------------------------------

    public Tensor add(Tensor other) {
        return Arithmetic.add(this, other);
    }

    public Tensor sub(Tensor other) {
        return Arithmetic.sub(this, other);
    }

    public Tensor mul(Tensor other) {
        return Arithmetic.mul(this, other);
    }

    public Tensor div(Tensor other) {
        return Arithmetic.div(this, other);
    }

    public Tensor add(double c) {
        return Pointwise.addScalar(this, c);
    }

    public Tensor sub(double c) {
        return Pointwise.addScalar(this, -c);
    }

    public Tensor mul(double c) {
        return Pointwise.mulScalar(this, c);
    }

    public Tensor div(double c) {
        return Pointwise.mulScalar(this, 1.0 / c);
    }

    public Tensor neg() {
        return Pointwise.neg(this);
    }

    public Tensor exp() {
        return Pointwise.exp(this);
    }

    public Tensor log() {
        return Pointwise.log(this);
    }

    public Tensor sqrt() {
        return Pointwise.sqrt(this);
    }

    public Tensor tanh() {
        return Pointwise.tanh(this);
    }

    public Tensor relu() {
        return Pointwise.relu(this);
    }

    public Tensor pow(double exponent) {
        return Pointwise.pow(this, exponent);
    }

    /** Exact GELU, 0.5·x·(1 + erf(x/√2)). */
    public Tensor gelu() {
        return Pointwise.gelu(this);
    }

    /** GELU with the tanh approximation. */
    public Tensor geluTanh() {
        return Pointwise.geluTanh(this);
    }

    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    // ---- reductions and friends --------------------------------------------------------------

    /** Sum of all elements (shape []). */
    public Tensor sum() {
        return Reductions.sumAll(this);
    }

    public Tensor sum(boolean keepDim, int... dims) {
        return Reductions.sum(this, dims, keepDim);
    }

    public Tensor mean() {
        return Reductions.meanAll(this);
    }

    public Tensor mean(boolean keepDim, int... dims) {
        return Reductions.mean(this, dims, keepDim);
    }

    public Tensor max(int dim, boolean keepDim) {
        return Reductions.max(this, dim, keepDim);
    }

    public Tensor softmax(int dim) {
        return Softmax.softmax(this, dim);
    }

    public Tensor logSoftmax(int dim) {
        return Softmax.logSoftmax(this, dim);
    }

    public Tensor dropout(double p, Rng rng, boolean training) {
        return Dropout.dropout(this, p, rng, training);
    }

    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
