/**
 * Statistics for comparing fine-tuning runs honestly: intervals for an accuracy ({@link
 * dev.kora4j.stats.Wilson}), for a mean over seeds ({@link dev.kora4j.stats.SeedSummary}) and for any
 * score of the test items ({@link dev.kora4j.stats.Bootstrap}), McNemar's exact test for two methods on
 * the same items, and Holm's correction when several comparisons are made at once.
 *
 * <p>Everything is plain Java on {@code java.lang.Math}, with the distributions it needs (normal,
 * Student t, binomial) written here, and every result is checked against scipy, statsmodels or numpy
 * (test-data/stats).
 */
package dev.kora4j.stats;
