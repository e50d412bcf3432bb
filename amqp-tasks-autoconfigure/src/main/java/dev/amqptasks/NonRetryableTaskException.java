package dev.amqptasks;

/**
 * Thrown by task code to fail the task at once, without a retry: for a failure that
 * another attempt cannot mend (bad input, a deleted entity).
 */
public class NonRetryableTaskException extends AmqpTasksException {

	public NonRetryableTaskException(String message) {
		super(message);
	}

	public NonRetryableTaskException(String message, Throwable cause) {
		super(message, cause);
	}

}
