package dev.kora4j.tensor;

import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Makes storages for a device whose memory is not the Java heap. Backends provide one through
 * {@link ServiceLoader} (META-INF/services), so that the tensor layer depends on no backend and
 * nothing device-specific loads until a tensor is made on that device.
 */
public interface DeviceStorageFactory {
    Device device();

    /** A storage of {@code size} elements, zero-filled when {@code zero}, else of undefined contents. */
    Storage allocate(DType dtype, int size, boolean zero);

    /** A new {@link Uploader} of input batches to this device. */
    Uploader uploader();

    /** The factory for {@code device}, or an error naming the device when this build has none. */
    static DeviceStorageFactory of(Device device) {
        DeviceStorageFactory f = Found.FACTORIES.get(device);
        if (f == null) {
            throw new UnsupportedOperationException("no storage for device " + device + " in this build of kora4j");
        }
        return f;
    }

    /** The factories on the class path, looked up once (on first use of an off-heap device). */
    final class Found {
        private static final Map<Device, DeviceStorageFactory> FACTORIES = new EnumMap<>(Device.class);

        static {
            for (DeviceStorageFactory f : ServiceLoader.load(DeviceStorageFactory.class)) {
                FACTORIES.putIfAbsent(f.device(), f);
            }
        }

        private Found() {}
    }
}
