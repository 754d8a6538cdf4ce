package dev.kora4j.report;

import dev.kora4j.metrics.CkaMatrix;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.PythonFormat;
import dev.kora4j.stats.SeedSummary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's PNG plots, drawn with XChart on a headless AWT and returned as PNG bytes (the caller
 * writes them atomically; {@link Reports} does). Each returns empty when the runs hold nothing to draw.
 *
 * <ul>
 *   <li>{@link #lossCurves}: training loss (solid) and validation loss (dashed) per epoch, one colour per run;
 *   <li>{@link #accuracyCurves}: validation accuracy per epoch, one line per run;
 *   <li>{@link #methodBars}: accuracy and weighted F1 of every method, source and transfer (the mean
 *       over seeds, with the 95 % Student-t interval as error bars when there are several);
 *   <li>{@link #ckaHeatMaps}: each run's CKA matrix as a heat-map with the values in the cells,
 *       side by side (as the seed's Figure.png shows KoRA and LoRA);
 *   <li>{@link #accuracyVsParams}: for configurations run with several seeds, mean accuracy (± std)
 *       against the share of parameters tuned, source and transfer side by side;
 *   <li>{@link #transferVsSource}: every seed's transfer accuracy against its source accuracy.
 * </ul>
 */
public final class Plots {
    static {
        // Charts are drawn into images, never shown: no display is needed, or used if there is one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** A colour-blind-safe palette (Okabe–Ito), so that a run's train and validation lines share a colour. */
    private static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442),
    };
    /** Heat-map scale from low (pale yellow) to high (red) similarity, light enough everywhere for black values. */
    private static final Color[] HEAT = {
        new Color(0xFFFFE0), new Color(0xFEE391), new Color(0xFDB863), new Color(0xF4845F), new Color(0xE34A33),
    };
    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int HEAT_SIZE = 460;
    private static final BasicStroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f);

    private Plots() {}

    /**
     * Why this Java cannot draw the plots' text, or empty when it can. A headless server without
     * fontconfig or any font (a slim container, a GPU host) fails on the first string drawn; the
     * report is then written without plots and says why. Asked once per JVM.
     */
    public static Optional<String> whyNoText() {
        return TextCheck.REASON;
    }

    private static final class TextCheck {
        static final Optional<String> REASON = probe();

        private static Optional<String> probe() {
            try {
                Graphics2D g = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB).createGraphics();
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                g.drawString("0", 0, 8);
                g.dispose();
                return Optional.empty();
            } catch (RuntimeException | LinkageError | InternalError e) { // the JDK's font manager fails in all three ways
                return Optional.of("this Java found no font to draw their text with (" + e.getMessage()
                        + "); install fontconfig and a font, e.g. Debian's fontconfig and fonts-dejavu-core packages");
            }
        }
    }

    public static Optional<byte[]> lossCurves(List<RunResult> runs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Loss per epoch").xAxisTitle("epoch").yAxisTitle("loss").build();
        style(chart.getStyler());
        int drawn = 0;
        for (int i = 0; i < runs.size(); i++) {
            RunResult r = runs.get(i);
            Color colour = PALETTE[i % PALETTE.length];
            XYSeries train = line(chart, r.title() + " · train", r, EpochMetrics::trainLoss, colour);
            XYSeries val = line(chart, r.title() + " · val", r, EpochMetrics::valLoss, colour);
            if (val != null) {
                val.setLineStyle(DASHED);
            }
            drawn += (train != null ? 1 : 0) + (val != null ? 1 : 0);
        }
        return drawn == 0 ? Optional.empty() : Optional.of(png(chart));
    }

    public static Optional<byte[]> accuracyCurves(List<RunResult> runs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Validation accuracy per epoch").xAxisTitle("epoch")
                .yAxisTitle("accuracy").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisDecimalPattern("0.00");
        int drawn = 0;
        for (int i = 0; i < runs.size(); i++) {
            drawn += line(chart, runs.get(i).title(), runs.get(i), EpochMetrics::valAccuracy, PALETTE[i % PALETTE.length]) != null ? 1 : 0;
        }
        return drawn == 0 ? Optional.empty() : Optional.of(png(chart));
    }

    /** One group of bars per method: source accuracy, source F1, transfer accuracy, transfer F1 (those that exist). */
    public static Optional<byte[]> methodBars(Experiment experiment) {
        List<String> methods = experiment.methods();
        if (methods.isEmpty()) {
            return Optional.empty();
        }
        boolean seeds = methods.stream().anyMatch(m -> experiment.runs().stream().filter(r -> r.method().equals(m)).map(RunResult::seed).distinct().count() > 1);
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(seeds ? "Accuracy and F1 by method: mean over seeds, 95 % interval" : "Accuracy and F1 by method")
                .xAxisTitle("method").yAxisTitle("score").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        // XChart writes ticks and bar labels with one format: round tick values get one decimal, scores four.
        chart.getStyler().setyAxisTickLabelsFormattingFunction(Plots::scoreLabel);
        chart.getStyler().setLabelsVisible(true).setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11)).setLabelsRotation(90)
                .setLabelsPosition(0.5);
        chart.getStyler().setSeriesColors(new Color[] {PALETTE[0], new Color(0x9ECAE1), PALETTE[1], new Color(0xFDD0A2)});
        int series = 0;
        for (RunResult.Phase phase : RunResult.Phase.values()) {
            if (experiment.runs(phase).isEmpty()) {
                continue;
            }
            series += bars(chart, experiment, methods, phase, "accuracy", Evaluation::accuracy);
            series += bars(chart, experiment, methods, phase, "F1", Evaluation::weightedF1);
        }
        return series == 0 ? Optional.empty() : Optional.of(png(chart));
    }

    /** The CKA matrices of the runs that have one, side by side; the first feature set is the top row. */
    public static Optional<byte[]> ckaHeatMaps(List<RunResult> runs) {
        List<HeatMapChart> charts = new ArrayList<>();
        for (RunResult r : runs) {
            if (r.cka() != null && r.cka().size() > 0) {
                charts.add(heatMap(r.title(), r.cka()));
            }
        }
        return pngRow(charts);
    }

    /**
     * Mean accuracy (error bars: std over seeds) against the parameters the method tuned on the source
     * task (%), one colour per method family; the source task and, where there was one, the transfer
     * task side by side. The x axis is logarithmic when the shares span a factor of ten or more (a
     * probe beside full fine-tuning).
     */
    public static Optional<byte[]> accuracyVsParams(List<SeedGroup> groups) {
        List<String> families = families(groups);
        List<XYChart> charts = new ArrayList<>();
        for (RunResult.Phase phase : RunResult.Phase.values()) {
            XYChart chart = paramsChart(groups, phase, families);
            if (chart != null) {
                charts.add(chart);
            }
        }
        return pngRow(charts);
    }

    private static XYChart paramsChart(List<SeedGroup> groups, RunResult.Phase phase, List<String> families) {
        String task = phase == RunResult.Phase.SOURCE ? "Source" : "Transfer";
        XYChart chart = new XYChartBuilder().width(WIDTH * 4 / 5).height(HEIGHT).title(task + " accuracy vs. parameters tuned")
                .xAxisTitle("parameters tuned on the source task (%)").yAxisTitle("accuracy (mean ± std over seeds)").build();
        style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisDecimalPattern("0.###").setYAxisDecimalPattern("0.00").setErrorBarsColorSeriesColor(true);
        chart.getStyler().setMarkerSize(9);
        double low = Double.POSITIVE_INFINITY, high = 0;
        for (int f = 0; f < families.size(); f++) {
            List<double[]> points = new ArrayList<>();
            for (SeedGroup g : groups) {
                // the method's share, tuned on the source task (a transfer tunes only a head, the same for all)
                MeanStd params = g.paramsPercent(RunResult.Phase.SOURCE), acc = g.accuracy(phase);
                if (g.family().equals(families.get(f)) && params.n() > 0 && params.mean() > 0 && acc.n() > 0) {
                    points.add(new double[] {params.mean(), acc.mean(), Double.isFinite(acc.std()) ? acc.std() : 0});
                }
            }
            if (points.isEmpty()) {
                continue;
            }
            points.sort(java.util.Comparator.comparingDouble(p -> p[0]));
            double[] xs = points.stream().mapToDouble(p -> p[0]).toArray();
            double[] ys = points.stream().mapToDouble(p -> p[1]).toArray();
            double[] errors = points.stream().mapToDouble(p -> p[2]).toArray();
            XYSeries s = chart.addSeries(uniqueName(chart, families.get(f)), xs, ys, errors);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(PALETTE[f % PALETTE.length]);
            s.setLineColor(PALETTE[f % PALETTE.length]); // the error bars
            low = Math.min(low, xs[0]);
            high = Math.max(high, xs[xs.length - 1]);
        }
        if (chart.getSeriesMap().isEmpty()) {
            return null;
        }
        chart.getStyler().setXAxisLogarithmic(high >= 10 * low);
        return chart;
    }

    /** Each seed's transfer accuracy against its source accuracy, one colour per method family. */
    public static Optional<byte[]> transferVsSource(List<SeedGroup> groups) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Transfer vs. source accuracy (one point per seed)")
                .xAxisTitle("source accuracy").yAxisTitle("transfer accuracy").build();
        style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisDecimalPattern("0.00").setYAxisDecimalPattern("0.00").setMarkerSize(9);
        List<String> families = families(groups);
        for (int f = 0; f < families.size(); f++) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (SeedGroup g : groups) {
                if (!g.family().equals(families.get(f))) {
                    continue;
                }
                for (int i = 0; i < g.transfer().size(); i++) {
                    double x = g.source().get(i).evaluation().accuracy(), y = g.transfer().get(i).evaluation().accuracy();
                    if (Double.isFinite(x) && Double.isFinite(y)) {
                        xs.add(x);
                        ys.add(y);
                    }
                }
            }
            if (!xs.isEmpty()) {
                XYSeries s = chart.addSeries(uniqueName(chart, families.get(f)), xs, ys);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(PALETTE[f % PALETTE.length]);
            }
        }
        return chart.getSeriesMap().isEmpty() ? Optional.empty() : Optional.of(png(chart));
    }

    private static List<String> families(List<SeedGroup> groups) {
        return groups.stream().map(SeedGroup::family).distinct().toList();
    }

    private static HeatMapChart heatMap(String title, CkaMatrix cka) {
        int k = cka.size();
        HeatMapChart chart = new HeatMapChartBuilder().width(HEAT_SIZE + 80).height(HEAT_SIZE).title("CKA · " + title).build();
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendVisible(true);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setRangeColors(HEAT);
        styler.setMin(0.0);
        styler.setMax(1.0);
        styler.setShowValue(true);
        styler.setValueFontColor(Color.BLACK);
        styler.setValueFont(new Font(Font.SANS_SERIF, Font.BOLD, k <= 6 ? 14 : 10));
        styler.setHeatMapValueDecimalPattern("0.00");
        styler.setDrawBorder(true);
        styler.setPlotGridLinesVisible(false);
        // XChart's y axis grows upwards; list the rows bottom-up so that row 0 is at the top, as seaborn draws it.
        List<String> xs = cka.labels();
        List<String> ys = new ArrayList<>(xs).reversed();
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double v = cka.get(i, j);
                if (Double.isFinite(v)) {
                    cells.add(new Number[] {j, k - 1 - i, v});
                }
            }
        }
        chart.addSeries("CKA", xs, ys, cells);
        return chart;
    }

    private static int bars(CategoryChart chart, Experiment e, List<String> methods, RunResult.Phase phase, String what,
            ToDoubleFunction<Evaluation> value) {
        List<Double> ys = new ArrayList<>(), errors = new ArrayList<>();
        boolean any = false;
        for (String m : methods) {
            double[] v = e.runs(phase).stream().filter(r -> r.method().equals(m)).mapToDouble(r -> value.applyAsDouble(r.evaluation())).toArray();
            SeedSummary s = SeedSummary.of(v, Evaluation.CONFIDENCE);
            any |= Double.isFinite(s.mean());
            ys.add(Double.isFinite(s.mean()) ? s.mean() : null); // XChart leaves a gap for null
            errors.add(Double.isFinite(s.interval().lower()) ? s.interval().width() / 2 : 0.0);
        }
        if (!any) {
            return 0;
        }
        if (ys.contains(null)) { // XChart draws error bars only where every bar has a value
            chart.addSeries(phase.label() + " " + what, methods, ys);
        } else {
            chart.addSeries(phase.label() + " " + what, methods, ys, errors);
        }
        return 1;
    }

    static String scoreLabel(double v) {
        boolean tick = Math.abs(v * 10 - Math.rint(v * 10)) < 1e-9;
        return PythonFormat.fixed(v, tick ? 1 : 4);
    }

    /** A line through the finite values of one metric; null (and nothing added) when there are none. */
    private static XYSeries line(XYChart chart, String name, RunResult r, ToDoubleFunction<EpochMetrics> metric, Color colour) {
        List<Integer> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (EpochMetrics m : r.epochs()) {
            double v = metric.applyAsDouble(m);
            if (Double.isFinite(v)) {
                xs.add(m.epoch());
                ys.add(v);
            }
        }
        if (xs.isEmpty()) {
            return null;
        }
        XYSeries s = chart.addSeries(uniqueName(chart, name), xs, ys);
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(2f));
        return s;
    }

    /** XChart refuses two series of one name; runs may share a title. */
    private static String uniqueName(XYChart chart, String name) {
        String candidate = name;
        for (int n = 2; chart.getSeriesMap().containsKey(candidate); n++) {
            candidate = name + " (" + n + ")";
        }
        return candidate;
    }

    private static void style(org.knowm.xchart.style.AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAntiAlias(true);
        s.setXAxisDecimalPattern("0");
    }

    /** The charts side by side in one PNG (the chart alone when there is one); empty when there are none. */
    private static <C extends Chart<?, ?>> Optional<byte[]> pngRow(List<C> charts) {
        if (charts.isEmpty()) {
            return Optional.empty();
        }
        if (charts.size() == 1) {
            return Optional.of(png(charts.get(0)));
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BitmapEncoder.saveBitmap(charts, 1, charts.size(), out, BitmapFormat.PNG);
            return Optional.of(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + charts.size() + " charts as one PNG", e);
        }
    }

    private static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a chart as PNG", e);
        }
    }
}
