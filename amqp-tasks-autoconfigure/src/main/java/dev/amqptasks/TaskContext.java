package dev.amqptasks;

import java.util.Optional;

/**
 * The context of the task running on the current thread. Declare a parameter of this type
 * on an {@link AmqpTask} method, or call {@link #current()}.
 */
public interface TaskContext {

	/**
	 * The task id.
	 * @return the id
	 */
	String id();

	/**
	 * The task name.
	 * @return the name
	 */
	String name();

	/**
	 * The attempt number, starting at 1.
	 * @return the attempt number
	 */
	int attempt();

	/**
	 * Whether cancellation was requested. A canceled task's thread is also interrupted;
	 * code that does not block should check this between steps.
	 * @return whether the task should stop
	 */
	boolean isCanceled();

	/**
	 * Appends a message to the task's event log.
	 * @param message the message
	 */
	void log(String message);

	/**
	 * Reports how much of the work is done.
	 * @param fraction from 0 to 1
	 */
	void progress(double fraction);

	/**
	 * The context of the task running on this thread.
	 * @return the context, or empty outside a task
	 */
	static Optional<TaskContext> current() {
		return TaskContextHolder.get();
	}

}
