package dev.amqptasks;

import java.time.Duration;

/**
 * Options for one enqueue. Declare a parameter of this type on an {@link AmqpTask} method
 * to let callers pass options through the bean; it is never part of the task's arguments.
 *
 * @param id the task id, or {@code null} to generate one; enqueuing an id that exists
 * does not run the task again. An id is 1 to 200 characters from
 * {@code A-Z a-z 0-9 - _ . :}, starting with a letter or a digit (see {@link TaskIds})
 * @param delay how long to wait before the task becomes runnable, or {@code null} for
 * none; at most {@link #MAX_DELAY}
 */
public record EnqueueOptions(String id, Duration delay) {

	/**
	 * The longest delay: a year, leap years included. Delays longer than one delay queue
	 * holds a message hop from queue to queue until they end.
	 */
	public static final Duration MAX_DELAY = Duration.ofDays(366);

	private static final EnqueueOptions NONE = new EnqueueOptions(null, null);

	public EnqueueOptions {
		if (id != null) {
			TaskIds.requireValid(id);
		}
		if (delay != null && delay.isNegative()) {
			throw new IllegalArgumentException("A delay must not be negative: " + delay);
		}
		if (delay != null && delay.compareTo(MAX_DELAY) > 0) {
			throw new IllegalArgumentException("A delay must be at most " + MAX_DELAY + ", was " + delay);
		}
	}

	/**
	 * No options: a generated id and no delay.
	 * @return the empty options
	 */
	public static EnqueueOptions none() {
		return NONE;
	}

	/**
	 * Options with the given id.
	 * @param id the caller-chosen task id
	 * @return the options
	 */
	public static EnqueueOptions withId(String id) {
		return new EnqueueOptions(id, null);
	}

	/**
	 * Options with the given delay.
	 * @param delay the delay before the task becomes runnable
	 * @return the options
	 */
	public static EnqueueOptions withDelay(Duration delay) {
		return new EnqueueOptions(null, delay);
	}

	/**
	 * A copy with the given id.
	 * @param id the caller-chosen task id
	 * @return the options
	 */
	public EnqueueOptions id(String id) {
		return new EnqueueOptions(id, this.delay);
	}

	/**
	 * A copy with the given delay.
	 * @param delay the delay before the task becomes runnable
	 * @return the options
	 */
	public EnqueueOptions delay(Duration delay) {
		return new EnqueueOptions(this.id, delay);
	}

}
