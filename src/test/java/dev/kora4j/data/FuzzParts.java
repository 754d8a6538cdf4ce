package dev.kora4j.data;

import java.util.Arrays;

/**
 * Splits one fuzz input into two files for readers that need two: a 4-byte big-endian length n,
 * then n bytes of the first file (fewer if the input ends), then the rest as the second file.
 */
record FuzzParts(byte[] first, byte[] second) {
    static FuzzParts split(byte[] input, int from) {
        if (input.length < from + 4) {
            return new FuzzParts(Arrays.copyOfRange(input, Math.min(from, input.length), input.length), new byte[0]);
        }
        long n = ((input[from] & 0xFFL) << 24) | ((input[from + 1] & 0xFF) << 16) | ((input[from + 2] & 0xFF) << 8) | (input[from + 3] & 0xFF);
        int start = from + 4;
        int end = (int) Math.min(input.length, start + n);
        return new FuzzParts(Arrays.copyOfRange(input, start, end), Arrays.copyOfRange(input, end, input.length));
    }
}
