package dev.amqptasks;

import java.time.Duration;

/**
 * An attempt ran past its {@link AmqpTask#timeout()}: its thread was interrupted and the
 * attempt counts as failed.
 */
public class TaskTimeoutException extends AmqpTasksException {

	public TaskTimeoutException(String id, Duration timeout) {
		super("Task '" + id + "' ran longer than its timeout of " + timeout);
	}

}
