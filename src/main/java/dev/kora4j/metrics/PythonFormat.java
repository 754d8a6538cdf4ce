package dev.kora4j.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Numbers formatted as Python's format specs print them, so that our logs and tables can be put side
 * by side with the seed's. Python rounds the exact binary value of the double, ties to even;
 * {@code String.format} rounds its shortest decimal form half up and so differs on values like 1.005
 * (really 1.00499999…) or 0.125.
 */
public final class PythonFormat {
    private PythonFormat() {}

    /** {@code f"{value:.{digits}f}"}; "nan", "inf" and "-inf" as Python writes them. */
    public static String fixed(double value, int digits) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        String text = new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        // Python keeps the sign of a negative value that rounds to zero: f"{-0.0001:.2f}" is "-0.00".
        if ((value < 0 || (value == 0 && 1 / value < 0)) && !text.startsWith("-")) {
            text = "-" + text;
        }
        return text;
    }

    /** {@code f"{fraction:.{digits}%}"}: the fraction times 100 (in double, as Python does), then "%". */
    public static String percent(double fraction, int digits) {
        return fixed(fraction * 100, digits) + "%";
    }
}
