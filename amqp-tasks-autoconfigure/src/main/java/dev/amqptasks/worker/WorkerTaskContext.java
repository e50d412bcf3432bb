package dev.amqptasks.worker;

import dev.amqptasks.TaskContext;
import dev.amqptasks.spi.AttemptLostException;
import dev.amqptasks.spi.TaskRegistry;

/**
 * The {@link TaskContext} of a task running in this worker.
 */
final class WorkerTaskContext implements TaskContext {

	private final RunningTask task;

	private final int attempt;

	private final TaskRegistry registry;

	WorkerTaskContext(RunningTask task, int attempt, TaskRegistry registry) {
		this.task = task;
		this.attempt = attempt;
		this.registry = registry;
	}

	@Override
	public String id() {
		return this.task.id();
	}

	@Override
	public String name() {
		return this.task.name();
	}

	@Override
	public int attempt() {
		return this.attempt;
	}

	@Override
	public boolean isCanceled() {
		return this.task.isCanceled();
	}

	/**
	 * Appends to the event log while this attempt holds the task; an attempt that lost it
	 * is stopped instead, and its entry dropped.
	 */
	@Override
	public void log(String message) {
		try {
			this.registry.log(this.task.id(), this.task.token(), message);
		}
		catch (AttemptLostException ex) {
			this.task.lose("the registry refused its log entry");
		}
	}

	/**
	 * Records progress while this attempt holds the task; an attempt that lost it is
	 * stopped instead.
	 */
	@Override
	public void progress(double fraction) {
		try {
			this.registry.progress(this.task.id(), this.task.token(), fraction);
		}
		catch (AttemptLostException ex) {
			this.task.lose("the registry refused its progress");
		}
	}

}
