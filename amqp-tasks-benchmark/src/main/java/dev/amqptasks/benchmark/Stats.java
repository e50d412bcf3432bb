package dev.amqptasks.benchmark;

import java.util.Arrays;
import java.util.Collection;

/**
 * The statistics the benchmark reports: percentiles and medians.
 */
public final class Stats {

	private Stats() {
	}

	/**
	 * A percentile with linear interpolation between the closest ranks (the usual
	 * definition of spreadsheets and NumPy): the 50th of {1, 2, 3, 4} is 2.5, the 0th the
	 * smallest value and the 100th the largest.
	 * @param values the sample, in any order (not changed)
	 * @param percent from 0 to 100
	 * @return the percentile, or NaN for an empty sample
	 */
	public static double percentile(double[] values, double percent) {
		if (!(percent >= 0 && percent <= 100)) {
			throw new IllegalArgumentException("percent must be from 0 to 100: " + percent);
		}
		if (values.length == 0) {
			return Double.NaN;
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		double rank = percent / 100 * (sorted.length - 1);
		int lower = (int) Math.floor(rank);
		int upper = (int) Math.ceil(rank);
		return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
	}

	/**
	 * The percentile of a collection.
	 * @param values the sample
	 * @param percent from 0 to 100
	 * @return the percentile, or NaN for an empty sample
	 */
	public static double percentile(Collection<? extends Number> values, double percent) {
		return percentile(values.stream().mapToDouble(Number::doubleValue).toArray(), percent);
	}

	/**
	 * The median: the mean of the two middle values of an even sample.
	 * @param values the sample
	 * @return the median, or NaN for an empty sample
	 */
	public static double median(Collection<? extends Number> values) {
		return percentile(values, 50);
	}

	/**
	 * Rounds for display and JSON.
	 * @param value the value
	 * @param decimals digits after the point
	 * @return the rounded value (NaN and infinities unchanged)
	 */
	public static double round(double value, int decimals) {
		if (Double.isNaN(value) || Double.isInfinite(value)) {
			return value;
		}
		double scale = Math.pow(10, decimals);
		return Math.round(value * scale) / scale;
	}

}
