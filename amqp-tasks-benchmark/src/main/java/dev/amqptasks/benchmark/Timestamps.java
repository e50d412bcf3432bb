package dev.amqptasks.benchmark;

/**
 * The latest and earliest of one field of the registry's timestamps of many tasks.
 */
final class Timestamps {

	private Timestamps() {
	}

	static long latest(long[][] times, int field) {
		long max = Long.MIN_VALUE;
		for (long[] time : times) {
			if (time[field] == Long.MIN_VALUE) {
				throw new IllegalStateException("A task has no timestamp in the registry");
			}
			max = Math.max(max, time[field]);
		}
		return max;
	}

	static long earliest(long[][] times, int field) {
		long min = Long.MAX_VALUE;
		for (long[] time : times) {
			if (time[field] == Long.MIN_VALUE) {
				throw new IllegalStateException("A task has no timestamp in the registry");
			}
			min = Math.min(min, time[field]);
		}
		return min;
	}

}
