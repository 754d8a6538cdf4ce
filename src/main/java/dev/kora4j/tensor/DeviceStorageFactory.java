package dev.kora4j.tensor;

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

    /** The factory for {@code device}, or an error naming the device when this build has none. */
    static DeviceStorageFactory of(Device device) {
        for (DeviceStorageFactory f : ServiceLoader.load(DeviceStorageFactory.class)) {
            if (f.device() == device) {
                return f;
            }
        }
        throw new UnsupportedOperationException("no storage for device " + device + " in this build of kora4j");
    }
}
