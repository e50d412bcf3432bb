package dev.amqptasks.worker;

import dev.amqptasks.TaskContext;
import dev.amqptasks.registry.TaskRegistry;

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

	@Override
	public void log(String message) {
		this.registry.log(this.task.id(), message);
	}

	@Override
	public void progress(double fraction) {
		this.registry.progress(this.task.id(), fraction);
	}

}
