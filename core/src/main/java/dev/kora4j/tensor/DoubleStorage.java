package dev.kora4j.tensor;

/** F64 elements in a heap array. */
public record DoubleStorage(double[] data) implements Storage {
    @Override
    public DType dtype() {
        return DType.F64;
    }

    @Override
    public int size() {
        return data.length;
    }

    @Override
    public double get(int index) {
        return data[index];
    }

    @Override
    public void set(int index, double value) {
        data[index] = value;
    }

    @Override
    public Storage allocateLike(int size) {
        return new DoubleStorage(new double[size]);
    }
}
