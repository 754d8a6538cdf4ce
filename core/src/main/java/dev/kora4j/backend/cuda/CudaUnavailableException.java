package dev.kora4j.backend.cuda;

/** The cuda device cannot be used here: no driver, no device, or no kernels in this build. One line says why. */
public final class CudaUnavailableException extends IllegalStateException {
    CudaUnavailableException(String message) {
        super(message);
    }

    CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
