package dev.kora4j.report;

import dev.kora4j.metrics.PythonFormat;
import java.util.Collection;

/**
 * A number measured once per seed, summarised: the mean and the sample standard deviation (n − 1
 * in the denominator, as pandas and R compute it) of its finite values; unmeasured values (NaN) are
 * left out and n counts the rest.
 *
 * @param mean NaN when n = 0
 * @param std NaN when n &lt; 2
 */
public record MeanStd(double mean, double std, int n) {
    public static MeanStd of(Collection<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static MeanStd of(double... values) {
        int n = 0;
        double sum = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return new MeanStd(Double.NaN, Double.NaN, 0);
        }
        double mean = sum / n, squares = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                squares += (v - mean) * (v - mean);
            }
        }
        return new MeanStd(mean, n < 2 ? Double.NaN : Math.sqrt(squares / (n - 1)), n);
    }

    /**
     * "mean ± std" of the values times {@code scale}, with {@code digits} decimals rounded as Python
     * rounds; the mean alone for one value, "–" for none.
     */
    public String format(double scale, int digits) {
        if (n == 0) {
            return MarkdownReport.MISSING;
        }
        String m = PythonFormat.fixed(mean * scale, digits);
        return Double.isFinite(std) ? m + " ± " + PythonFormat.fixed(std * scale, digits) : m;
    }
}
