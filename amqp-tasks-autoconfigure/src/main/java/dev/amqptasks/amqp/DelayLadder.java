package dev.amqptasks.amqp;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.springframework.util.Assert;

/**
 * The fixed steps of the delay queues that user delays, retries and deferred messages all
 * wait in: four per doubling ({@code 2^k} times 1, 1.25, 1.5 and 1.75 ms, from 4 ms), so
 * that 120 queue names at most serve every delay, and the longest step fits RabbitMQ's
 * 32-bit TTL.
 * <p>
 * A delay is taken as hops along the ladder, decided again each time the message comes
 * out of a step: the step just above the remaining time when that ends the delay late by
 * no more than its slack, otherwise the largest step below it, and the top step while
 * more than that remains. The slack is 3% of the whole delay, at least 5 ms and at most
 * an hour, so a delay ends no earlier than asked and at most its slack later (plus a few
 * milliseconds of delivery per hop). Delays up to 33 hours take one or two hops, longer
 * ones up to the top step at most four, and longer still one more hop per top step.
 */
public final class DelayLadder {

	/**
	 * The longest step: 1.75 * 2^31 ms (about 43.5 days), the last that fits in a 32-bit
	 * TTL.
	 */
	public static final Duration LONGEST_STEP = Duration.ofMillis(7L << 29);

	private static final long SHORTEST_STEP_MILLIS = 4;

	private static final long MIN_SLACK_MILLIS = 5;

	private static final long MAX_SLACK_MILLIS = Duration.ofHours(1).toMillis();

	private static final double SLACK_FRACTION = 0.03;

	private final long[] steps;

	/**
	 * Creates the ladder of every step up to {@link #LONGEST_STEP}.
	 */
	public DelayLadder() {
		this(LONGEST_STEP);
	}

	/**
	 * Creates a ladder whose top is the largest step not above the given one: longer
	 * delays hop more often. Every ladder names the same step alike, so processes with
	 * different tops share the queues.
	 * @param top the longest step to use, from 4 ms to {@link #LONGEST_STEP}
	 */
	public DelayLadder(Duration top) {
		Assert.isTrue(top.toMillis() >= SHORTEST_STEP_MILLIS && top.compareTo(LONGEST_STEP) <= 0,
				() -> "The top step must be from " + SHORTEST_STEP_MILLIS + " ms to " + LONGEST_STEP + ", was " + top);
		long[] all = new long[4 * 30];
		int count = 0;
		for (long power = SHORTEST_STEP_MILLIS; count < all.length; power *= 2) {
			for (long quarters = 4; quarters < 8; quarters++) {
				all[count++] = power / 4 * quarters;
			}
		}
		this.steps = Arrays.stream(all).filter((step) -> step <= top.toMillis()).toArray();
	}

	/**
	 * The steps, shortest first.
	 * @return the steps
	 */
	public List<Duration> steps() {
		return Arrays.stream(this.steps).mapToObj(Duration::ofMillis).toList();
	}

	/**
	 * The longest step.
	 * @return the top step
	 */
	public Duration top() {
		return Duration.ofMillis(topMillis());
	}

	private long topMillis() {
		return this.steps[this.steps.length - 1];
	}

	/**
	 * How much later than asked a delay may end: what a hop may round it up by.
	 * @param delayMillis the whole delay
	 * @return the slack in milliseconds
	 */
	static long slackFor(long delayMillis) {
		return Math.min(MAX_SLACK_MILLIS, Math.max(MIN_SLACK_MILLIS, (long) (delayMillis * SLACK_FRACTION)));
	}

	/**
	 * The step of the next hop of a delay.
	 * @param remainingMillis how long the delay still has to run
	 * @param slackMillis how much later than that it may end
	 * @return the step in milliseconds, or {@code 0} if the delay is over
	 */
	long next(long remainingMillis, long slackMillis) {
		if (remainingMillis <= 0) {
			return 0;
		}
		if (remainingMillis >= topMillis()) {
			return topMillis();
		}
		int index = Arrays.binarySearch(this.steps, remainingMillis);
		if (index >= 0) {
			return this.steps[index];
		}
		int above = -index - 1;
		if (above == 0 || this.steps[above] - remainingMillis <= slackMillis) {
			return this.steps[above];
		}
		return this.steps[above - 1];
	}

	/**
	 * The shortest step that lasts at least the given time, or the top step: for a
	 * message that is merely looked at again later.
	 * @param millis the time to wait at least
	 * @return the step in milliseconds
	 */
	long atLeast(long millis) {
		int index = Arrays.binarySearch(this.steps, millis);
		if (index >= 0) {
			return this.steps[index];
		}
		return this.steps[Math.min(-index - 1, this.steps.length - 1)];
	}

}
