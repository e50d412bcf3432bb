package dev.amqptasks.task;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.NonRetryableTaskException;

/**
 * How a task is retried and how long an attempt may run: the task's own settings over the
 * application's defaults.
 *
 * @param maxRetries retries after the first attempt, {@code -1} for no limit
 * @param delay delay before the first retry
 * @param multiplier factor by which the delay grows with each retry
 * @param maxDelay the longest delay
 * @param jitter fraction (0 to 1) by which each delay is randomly shortened or lengthened
 * @param timeout how long one attempt may run, or {@code null} for no limit
 * @param noRetryFor exception types that fail the task at once
 */
public record TaskPolicy(int maxRetries, Duration delay, double multiplier, Duration maxDelay, double jitter,
		Duration timeout, List<Class<? extends Throwable>> noRetryFor) {

	public TaskPolicy {
		noRetryFor = List.copyOf(noRetryFor);
	}

	/**
	 * Whether a failed attempt may be retried.
	 * @param attempt the number of the attempt that failed, from 1
	 * @param failure what it threw
	 * @return whether to retry
	 */
	public boolean retries(int attempt, Throwable failure) {
		if (failure instanceof NonRetryableTaskException || failure instanceof InvalidTaskArgumentsException
				|| this.noRetryFor.stream().anyMatch((type) -> type.isInstance(failure))) {
			return false;
		}
		return this.maxRetries == -1 || attempt <= this.maxRetries;
	}

	/**
	 * Whether an attempt may start at all: attempts that started and never ended (their
	 * worker died) count, so a task that kills its worker every time ends.
	 * @param attempt the number of the attempt about to run
	 * @return whether it may run
	 */
	public boolean allowsAttempt(int attempt) {
		return this.maxRetries == -1 || attempt <= this.maxRetries + 1;
	}

	/**
	 * The delay before the retry that follows a failed attempt: the delay grown by the
	 * multiplier for each earlier retry, at most the longest delay, then jittered. The
	 * publisher takes it through the delay ladder, which never makes it shorter and at
	 * most a few percent longer.
	 * @param attempt the number of the attempt that failed, from 1
	 * @return the delay
	 */
	public Duration delayAfter(int attempt) {
		if (this.multiplier == 1 && this.jitter == 0) {
			return this.delay;
		}
		double millis = this.delay.toMillis() * Math.pow(this.multiplier, attempt - 1);
		millis = Math.min(millis, this.maxDelay.toMillis());
		if (this.jitter > 0) {
			millis *= 1 + ThreadLocalRandom.current().nextDouble(-this.jitter, this.jitter);
		}
		return Duration.ofMillis(Math.max(1, Math.round(millis)));
	}

}
