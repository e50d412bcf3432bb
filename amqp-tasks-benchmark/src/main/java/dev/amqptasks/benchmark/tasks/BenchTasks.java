package dev.amqptasks.benchmark.tasks;

import dev.amqptasks.AmqpTask;

/**
 * The benchmark's tasks. They do as little as possible, so that a benchmark measures the
 * task system and not the tasks.
 * <p>
 * A plain class: {@link BenchTasksAutoConfiguration} declares the bean, so that the
 * standalone worker (given the {@code -tasks.jar} with {@code -Dloader.path}) and the
 * benchmark driver register it the same way.
 */
public class BenchTasks {

	/** Does nothing: W1 and W3. */
	@AmqpTask("bench.noop")
	public void noop() {
	}

	/**
	 * Sleeps: W2, an I/O-bound task.
	 * @param seconds how long to sleep
	 * @throws InterruptedException if the task is canceled or the worker stops
	 */
	@AmqpTask("bench.sleep")
	public void sleep(double seconds) throws InterruptedException {
		if (!(seconds >= 0) || Double.isInfinite(seconds)) {
			throw new IllegalArgumentException("seconds must be a finite number, at least 0: " + seconds);
		}
		Thread.sleep(Math.round(seconds * 1000));
	}

}
