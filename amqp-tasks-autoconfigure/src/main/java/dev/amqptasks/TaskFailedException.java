package dev.amqptasks;

/**
 * Completes a task's future when the task ended {@code errored} or {@code canceled}
 * instead of {@code finished}.
 */
public class TaskFailedException extends AmqpTasksException {

	private final transient TaskInfo task;

	public TaskFailedException(TaskInfo task) {
		super(describe(task));
		this.task = task;
	}

	private static String describe(TaskInfo task) {
		String base = "Task '" + task.id() + "' (" + task.name() + ") ended " + task.status().value();
		return (task.error() != null) ? base + ": " + task.error().type() + ": " + task.error().message() : base;
	}

	/**
	 * The task in its final state.
	 * @return the task
	 */
	public TaskInfo getTask() {
		return this.task;
	}

}
