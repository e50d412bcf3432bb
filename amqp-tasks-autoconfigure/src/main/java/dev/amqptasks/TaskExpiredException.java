package dev.amqptasks;

/**
 * The type recorded when a task's message arrived after the registry may have forgotten
 * the task (the message waited longer than the registry's time to live): the task is not
 * run, since it may have been canceled or finished, and ends {@code errored} with this
 * type. Never thrown by amqp-tasks: it names the error stored in
 * {@link TaskInfo#error()}.
 */
public class TaskExpiredException extends AmqpTasksException {

	public TaskExpiredException(String message) {
		super(message);
	}

}
