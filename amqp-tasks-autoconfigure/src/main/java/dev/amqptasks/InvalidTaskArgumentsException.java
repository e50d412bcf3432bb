package dev.amqptasks;

/**
 * A task's arguments do not bind to its method's parameters (missing, surplus or of the
 * wrong type). Such a task can never succeed, so it is not retried.
 */
public class InvalidTaskArgumentsException extends AmqpTasksException {

	public InvalidTaskArgumentsException(String message) {
		super(message);
	}

	public InvalidTaskArgumentsException(String message, Throwable cause) {
		super(message, cause);
	}

}
