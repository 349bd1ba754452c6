package dev.ruta.provisioning;

import dev.ruta.testing.ProjectPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs the commands the provisioning tests use (the project's scripts among them): to the end, or killed at a deadline. */
final class Commands {

    /** What a command printed, its errors included, and its exit status: -1 if it was killed at its deadline. */
    record Outcome(int exit, String output) {
    }

    private Commands() {
    }

    /**
     * Runs one of the project's scripts (its path from the project's root) with these variables
     * added to its environment, to its end or the deadline.
     *
     * @throws IllegalStateException when its output stays open a minute after it ended: a process
     *         it left behind holds it
     */
    static Outcome script(String script, Map<String, String> environment, Duration timeout, String... arguments) {
        List<String> command = new ArrayList<>(List.of(ProjectPaths.root().resolve(script).toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = start(builder);
        // Read beside the wait: a script that prints more than a pipe holds does not stall, and
        // one that hangs is still killed at the deadline.
        FutureTask<String> output = new FutureTask<>(
                () -> new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        Thread.ofVirtual().start(output);
        int exit = finish(process, builder, timeout);
        try {
            return new Outcome(exit, output.get(1, TimeUnit.MINUTES));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("no output from " + String.join(" ", command)
                    + " (a process it left behind may hold it open)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
