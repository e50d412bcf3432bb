package dev.amqptasks;

import java.util.Optional;

/**
 * Holds the context of the task running on the current thread. Applications read it
 * through {@link TaskContext#current()}; the worker sets it around each attempt with
 * {@link #set} and {@link #clear}.
 */
public final class TaskContextHolder {

	private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

	private TaskContextHolder() {
	}

	/**
	 * The context of the task running on this thread.
	 * @return the context, or empty outside a task
	 */
	public static Optional<TaskContext> get() {
		return Optional.ofNullable(CURRENT.get());
	}

	/**
	 * Makes the given context the current thread's, for the attempt that is about to run.
	 * @param context the context
	 */
	public static void set(TaskContext context) {
		CURRENT.set(context);
	}

	/**
	 * Forgets the current thread's context, after the attempt.
	 */
	public static void clear() {
		CURRENT.remove();
	}

}
