package dev.amqptasks.core;

import java.util.Optional;

import dev.amqptasks.TaskContext;

/**
 * Holds the context of the task running on the current thread.
 */
public final class CurrentTask {

	private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

	private CurrentTask() {
	}

	/**
	 * The context of the task running on this thread.
	 * @return the context, or empty outside a task
	 */
	public static Optional<TaskContext> get() {
		return Optional.ofNullable(CURRENT.get());
	}

	static void set(TaskContext context) {
		CURRENT.set(context);
	}

	static void clear() {
		CURRENT.remove();
	}

}
