package dev.amqptasks.worker;

import java.time.Duration;

import dev.amqptasks.client.CoalescingQueue;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.TaskRegistry.ChangeOutcome;
import dev.amqptasks.spi.TaskRegistry.StartOutcome;
import dev.amqptasks.spi.TaskRegistry.StartRequest;
import dev.amqptasks.spi.TaskRegistry.TaskResult;

/**
 * The two registry writes that every task makes, starting and finishing, gathered across
 * the tasks of a worker that make them at the same time: under load, one call to the
 * registry starts or finishes a whole batch, where one call per task would spend most of
 * the worker's and Redis's time on round trips. Each caller still waits for its own write
 * to be stored.
 */
final class CoalescedRegistryWrites implements AutoCloseable {

	/** The most writes of one kind in one registry call. */
	private static final int MAX_BATCH = 100;

	private final CoalescingQueue<StartRequest, StartOutcome> starts;

	private final CoalescingQueue<TaskResult, ChangeOutcome> finishes;

	private final TaskRegistry registry;

	private final String workerId;

	private final Duration lease;

	CoalescedRegistryWrites(TaskRegistry registry, String workerId, Duration lease) {
		this.registry = registry;
		this.workerId = workerId;
		this.lease = lease;
		this.starts = new CoalescingQueue<>("amqp-tasks-starts", MAX_BATCH,
				(tasks) -> registry.startAll(tasks, workerId, lease));
		this.finishes = new CoalescingQueue<>("amqp-tasks-finishes", MAX_BATCH, registry::finishAll);
	}

	/**
	 * Starts an attempt, as {@link TaskRegistry#start(StartRequest, String, Duration)}
	 * does.
	 * @param request the task as its message carries it, and the attempt's token
	 * @return the outcome
	 */
	StartOutcome start(StartRequest request) {
		try {
			return this.starts.submit(request);
		}
		catch (CoalescingQueue.ClosedException ex) {
			return this.registry.start(request, this.workerId, this.lease);
		}
	}

	/**
	 * Finishes a task, as {@link TaskRegistry#finish(String, String, String)} does.
	 * @param result the task, the attempt's token and the result as JSON text
	 */
	void finish(TaskResult result) {
		try {
			this.finishes.submit(result).orThrow();
		}
		catch (CoalescingQueue.ClosedException ex) {
			this.registry.finish(result.id(), result.token(), result.resultJson());
		}
	}

	/**
	 * Stores the writes already made; later writes (of a task that outlived the worker's
	 * stop) go to the registry one by one.
	 */
	@Override
	public void close() {
		this.starts.close();
		this.finishes.close();
	}

}
