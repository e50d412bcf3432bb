package dev.amqptasks.spi;

import java.time.Duration;
import java.util.Objects;

import dev.amqptasks.AmqpTasksException;

/**
 * Thrown by a {@link TaskExecutionInterceptor} (or a task) to run the task later rather
 * than now: the task goes back to {@code scheduled}, and its message comes again through
 * the delay queues after the delay (at least the delay, rounded up to a delay queue's
 * step; a delay longer than the longest step comes back after that step, and is asked
 * again). The attempt counts towards the task's retries.
 */
public class DeferTaskException extends AmqpTasksException {

	private final Duration delay;

	/**
	 * Defers the task.
	 * @param delay how long to wait at least, positive
	 * @param reason why, for the log
	 */
	public DeferTaskException(Duration delay, String reason) {
		super(reason);
		Objects.requireNonNull(delay, "delay");
		if (delay.isNegative() || delay.isZero()) {
			throw new IllegalArgumentException("The delay must be positive: " + delay);
		}
		this.delay = delay;
	}

	/**
	 * How long to wait at least before the task is looked at again.
	 * @return the delay
	 */
	public Duration getDelay() {
		return this.delay;
	}

}
