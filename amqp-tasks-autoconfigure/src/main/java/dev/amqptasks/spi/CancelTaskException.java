package dev.amqptasks.spi;

import dev.amqptasks.AmqpTasksException;

/**
 * Thrown by a {@link TaskExecutionInterceptor} (or a task) so that the task never runs
 * (again): it ends {@code canceled}, with the reason in its event log.
 */
public class CancelTaskException extends AmqpTasksException {

	/**
	 * Cancels the task.
	 * @param reason why, recorded in the task's event log
	 */
	public CancelTaskException(String reason) {
		super(reason);
	}

}
