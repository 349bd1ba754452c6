package dev.ruta.balancer.proxy.body;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacklogTest {

    @TempDir
    Path folder;

    @Test
    void bytesComeBackInTheOrderTheyCameAcrossMemoryAndFile() throws IOException {
        byte[] answer = new byte[1_000_000];
        new Random(7).nextBytes(answer);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] target = new byte[10_000];
        try (Backlog backlog = new Backlog(folder, Long.MAX_VALUE)) {
            int offset = 0;
            int round = 0;
            while (offset < answer.length) {
                // Adds and takes interleave, unevenly, so the backlog empties and fills again.
                int length = Math.min(answer.length - offset, 3_000 + (round % 7) * 9_000);
                backlog.add(answer, offset, length);
                offset += length;
                if (round++ % 3 == 0) {
                    drain(backlog, target, out, 25_000);
                }
            }
            drain(backlog, target, out, Integer.MAX_VALUE);
            assertEquals(0, backlog.size());
        }
        assertArrayEquals(answer, out.toByteArray());
    }

    @Test
    void theFirst64KiBStayInMemoryAndTheRestGoesToAFileDeletedOnClose() throws IOException {
        Backlog backlog = new Backlog(folder, Long.MAX_VALUE);
        backlog.add(new byte[64 * 1024], 0, 64 * 1024);
        assertEquals(0, filesIn(folder));
        backlog.add(new byte[1], 0, 1);
        assertEquals(1, filesIn(folder));
        backlog.close();
        assertEquals(0, filesIn(folder));
    }

    @Test
    void addingBeyondTheLimitFails() throws IOException {
        try (Backlog backlog = new Backlog(folder, 100_000)) {
            backlog.add(new byte[90_000], 0, 90_000);
            assertThrows(Backlog.FullException.class, () -> backlog.add(new byte[20_000], 0, 20_000));
            backlog.take(new byte[50_000]);
            backlog.add(new byte[20_000], 0, 20_000);
            assertEquals(60_000, backlog.size());
        }
    }

    private static void drain(Backlog backlog, byte[] target, ByteArrayOutputStream out, int atMost) throws IOException {
        int taken = 0;
        for (int count; taken < atMost && (count = backlog.take(target)) > 0; taken += count) {
            out.write(target, 0, count);
        }
    }

    private static long filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.count();
        }
    }
}
