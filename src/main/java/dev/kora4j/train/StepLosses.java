package dev.kora4j.train;

import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The losses of the training steps not read yet. On the heap a loss is read at once; on a device,
 * where each read waits for the device to catch up, it is copied into a slot of a buffer there and
 * the buffer is read in one copy when it is full or when the trainer needs the numbers (before a
 * checkpoint, at an epoch's end).
 */
final class StepLosses {
    /** One step: which it was, and its mean loss over {@code images} images. */
    record Step(long step, int epoch, int batch, int images, double loss) {}

    /** Steps whose losses a device keeps before one read. */
    static final int INTERVAL = 16;

    private final Tensor slots; // on the device; null on the heap
    private final List<Step> steps = new ArrayList<>();

    StepLosses(Device device) {
        slots = device.onHeap() ? null : BufferPool.outside(() -> Tensor.zeros(DType.F32, device, INTERVAL));
    }

    /** Records a step's loss, a scalar tensor of the step (read or copied before the step ends). */
    void add(Tensor loss, long step, int epoch, int batch, int images) {
        double value = Double.NaN; // known at take() on a device
        if (slots == null) {
            value = loss.item();
        } else {
            Backends.of(loss).copy(loss.reshape(1), slots.narrow(0, steps.size(), 1));
        }
        steps.add(new Step(step, epoch, batch, images, value));
    }

    /** Whether a read is due: always on the heap, when every slot is used on a device. */
    boolean full() {
        return slots == null || steps.size() == INTERVAL;
    }

    /** The steps recorded since the last call, with their losses (one copy from a device). */
    List<Step> take() {
        List<Step> out = new ArrayList<>(steps);
        if (slots != null && !out.isEmpty()) {
            float[] values = slots.toFloatArray();
            for (int i = 0; i < out.size(); i++) {
                Step s = out.get(i);
                out.set(i, new Step(s.step(), s.epoch(), s.batch(), s.images(), values[i]));
            }
        }
        steps.clear();
        return out;
    }
}
