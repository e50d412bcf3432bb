package dev.amqptasks;

/**
 * The type recorded when a task ends {@code errored} because attempts that started and
 * never ended (their worker died) used up its retries. Never thrown by amqp-tasks: it
 * names the error stored in {@link TaskInfo#error()}.
 */
public class TaskGaveUpException extends AmqpTasksException {

	public TaskGaveUpException(String message) {
		super(message);
	}

}
