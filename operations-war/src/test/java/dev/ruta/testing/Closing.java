package dev.ruta.testing;

/** Stops what a test started, in order: each part even when one before it failed, none left running. */
public final class Closing {

    private Closing() {
    }

    /** Closes each part that is not null; the first failure is thrown at the end, the others added to it. */
    public static void all(AutoCloseable... parts) {
        IllegalStateException failure = null;
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (failure == null) {
                    failure = new IllegalStateException("Closing " + part + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
