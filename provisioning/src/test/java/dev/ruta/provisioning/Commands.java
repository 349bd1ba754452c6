package dev.ruta.provisioning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs the commands that make and use test hosts: to the end, or killed at a deadline. */
final class Commands {

    private Commands() {
    }

    /** The exit status of the command, or -1 if it ran out of time (it is killed then). */
    static int exitStatus(ProcessBuilder command, Duration timeout) {
        return finish(start(command), command, timeout);
    }

    /** What the command printed; its errors are dropped. */
    static String output(Duration timeout, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = start(builder);
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            finish(process, builder, timeout);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Process start(ProcessBuilder command) {
        try {
            return command.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command.command()), e);
        }
    }

    private static int finish(Process process, ProcessBuilder command, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                System.err.println("Killed after " + timeout + ": " + String.join(" ", command.command()));
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command.command()), e);
        }
    }
}
