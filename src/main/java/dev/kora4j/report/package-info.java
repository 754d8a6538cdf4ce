/**
 * The outputs of a run folder: results.json ({@link dev.kora4j.report.ResultsJson}, schema there),
 * metrics.csv ({@link dev.kora4j.report.MetricsCsv}), PNG plots ({@link dev.kora4j.report.Plots}) and
 * report.md ({@link dev.kora4j.report.MarkdownReport}), all written atomically by {@link
 * dev.kora4j.report.Reports#writeAll}.
 *
 * <p>The data model is three records the trainer fills: {@link dev.kora4j.report.EpochMetrics} per
 * epoch, {@link dev.kora4j.report.RunResult} per method and phase (source or transfer), and {@link
 * dev.kora4j.report.Experiment} for the folder. Scores come from {@code dev.kora4j.metrics}.
 */
package dev.kora4j.report;
