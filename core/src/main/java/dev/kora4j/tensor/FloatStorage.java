package dev.kora4j.tensor;

/** F32 elements in a heap array. */
public record FloatStorage(float[] data) implements Storage {
    @Override
    public DType dtype() {
        return DType.F32;
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
        data[index] = (float) value;
    }

    @Override
    public Storage allocateLike(int size) {
        return new FloatStorage(new float[size]);
    }
}
