package dev.amqptasks.sample.tasks;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.amqptasks.AmqpTask;
import dev.amqptasks.TaskContext;
import tools.jackson.databind.JsonNode;

/**
 * The sample tasks used by the examples, the documentation and the tests.
 * <p>
 * Calling one of these methods through the Spring bean enqueues the task and returns at
 * once; the returned future completes with the task's result when a worker has run it. A
 * {@link TaskContext} parameter is supplied by the worker and is not one of the task's
 * arguments: callers pass {@code null}.
 * <p>
 * This is a plain class rather than a {@code @Component}:
 * {@link SampleTasksAutoConfiguration} declares the bean, so that the sample app and a
 * worker that has only the tasks jar register it the same way, and exactly once.
 */
public class SampleTasks {

	private static final Duration PROGRESS_STEP = Duration.ofMillis(100);

	/**
	 * Returns its argument.
	 * @param value any JSON value
	 * @return a future of the same value
	 */
	@AmqpTask("sample.echo")
	public CompletableFuture<JsonNode> echo(JsonNode value) {
		return CompletableFuture.completedFuture(value);
	}

	/**
	 * Adds two numbers exactly, in decimal: {@code 1 + 2} is {@code 3} and
	 * {@code 0.1 + 0.2} is {@code 0.3}. A sum of whole numbers has no fraction digits, so
	 * it travels as a JSON integer.
	 * @param a a number
	 * @param b a number
	 * @return a future of the sum
	 */
	@AmqpTask("sample.add")
	public CompletableFuture<BigDecimal> add(Number a, Number b) {
		return CompletableFuture.completedFuture(decimal("a", a).add(decimal("b", b)));
	}

	/**
	 * Sleeps, stopping early when interrupted (as a canceled task is).
	 * @param seconds how long to sleep
	 * @return a future of {@code seconds}
	 * @throws InterruptedException if the task is canceled while it sleeps
	 */
	@AmqpTask("sample.sleep")
	public CompletableFuture<Double> sleep(double seconds) throws InterruptedException {
		Thread.sleep(millis("seconds", seconds));
		return CompletableFuture.completedFuture(seconds);
	}

	/**
	 * Fails until it has been attempted more than {@code failures} times, to show
	 * retries.
	 * @param failures how many attempts fail
	 * @param context the running task's context (supplied by the worker)
	 * @return a future of the attempt number that succeeded
	 */
	@AmqpTask("sample.flaky")
	public CompletableFuture<Integer> flaky(int failures, TaskContext context) {
		int attempt = context(context).attempt();
		if (attempt <= failures) {
			throw new IllegalStateException("Attempt " + attempt + " of a task that fails " + failures + " times");
		}
		return CompletableFuture.completedFuture(attempt);
	}

	/**
	 * Always fails, to show a task that ends {@code errored}.
	 * @param message the message of the exception
	 * @return never returns normally
	 */
	@AmqpTask("sample.fail")
	public CompletableFuture<Void> fail(String message) {
		throw new IllegalStateException(message);
	}

	/**
	 * Keeps a CPU busy and ignores interruption, to show what a task that cannot be
	 * canceled does to a worker (and its auto-kill timeout).
	 * @param seconds how long to spin
	 * @return a future of {@code seconds}
	 */
	@AmqpTask("sample.spin")
	public CompletableFuture<Double> spin(double seconds) {
		long deadline = System.nanoTime() + Duration.ofMillis(millis("seconds", seconds)).toNanos();
		while (System.nanoTime() - deadline < 0) {
			// Deliberately not checking Thread.interrupted(): this task is the one that
			// ignores it.
			Thread.onSpinWait();
		}
		return CompletableFuture.completedFuture(seconds);
	}

	/**
	 * Works in steps of about 100 ms, logging {@code step i} and reporting the fraction
	 * done after each.
	 * @param steps how many steps
	 * @param context the running task's context (supplied by the worker)
	 * @return a future of {@code steps}
	 * @throws InterruptedException if the task is canceled between steps
	 */
	@AmqpTask("sample.progress")
	public CompletableFuture<Integer> progress(int steps, TaskContext context) throws InterruptedException {
		if (steps < 0) {
			throw new IllegalArgumentException("steps must not be negative: " + steps);
		}
		TaskContext task = context(context);
		for (int i = 1; i <= steps; i++) {
			task.log("step " + i);
			task.progress(i / (double) steps);
			Thread.sleep(PROGRESS_STEP.toMillis());
		}
		return CompletableFuture.completedFuture(steps);
	}

	/**
	 * The context passed by the worker or, when the method is called directly on a thread
	 * that runs a task, the current one.
	 */
	private static TaskContext context(TaskContext context) {
		if (context != null) {
			return context;
		}
		return TaskContext.current()
			.orElseThrow(() -> new IllegalStateException("This task needs its TaskContext: run it through a worker"));
	}

	private static BigDecimal decimal(String name, Number number) {
		if (number == null) {
			throw new IllegalArgumentException(name + " must be a number, not null");
		}
		if (number instanceof BigDecimal decimal) {
			return decimal;
		}
		if (number instanceof BigInteger integer) {
			return new BigDecimal(integer);
		}
		if (number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte) {
			return BigDecimal.valueOf(number.longValue());
		}
		double value = number.doubleValue();
		if (!Double.isFinite(value)) {
			throw new IllegalArgumentException(name + " must be a finite number: " + value);
		}
		// The shortest decimal that reads back as this double: 0.1 stays 0.1, not
		// 0.1000000000000000055...
		return new BigDecimal(Double.toString(value));
	}

	private static long millis(String name, double seconds) {
		if (!(seconds >= 0) || Double.isInfinite(seconds)) {
			throw new IllegalArgumentException(name + " must be a finite number of seconds, at least 0: " + seconds);
		}
		return Math.round(seconds * 1000);
	}

}
