package dev.amqptasks;

/**
 * Base of the exceptions thrown by amqp-tasks.
 */
public class AmqpTasksException extends RuntimeException {

	public AmqpTasksException(String message) {
		super(message);
	}

	public AmqpTasksException(String message, Throwable cause) {
		super(message, cause);
	}

}
