package dev.amqptasks;

/**
 * A task could not be enqueued: the broker or the registry was unreachable, or the broker did
 * not confirm the message in time. The task did not run and will not run from this enqueue.
 */
public class TaskEnqueueException extends AmqpTasksException {

	public TaskEnqueueException(String message, Throwable cause) {
		super(message, cause);
	}

}
