package dev.amqptasks.spi;

import dev.amqptasks.TaskContext;

/**
 * One attempt of a task, as a {@link TaskExecutionInterceptor} sees it.
 */
public interface TaskExecution {

	/**
	 * The task's name.
	 * @return the name
	 */
	String name();

	/**
	 * The task's id.
	 * @return the id
	 */
	String id();

	/**
	 * The attempt number, starting at 1.
	 * @return the attempt number
	 */
	int attempt();

	/**
	 * The task's context: whether its cancellation was requested, its event log, its
	 * progress. ({@link TaskContext#current()} is set only around the task's method
	 * itself.)
	 * @return the context
	 */
	TaskContext context();

}
