package dev.amqptasks;

/**
 * A task could not be enqueued: the broker or the registry was unreachable, or the broker
 * did not confirm the message in time. The task did not run and will not run from this
 * enqueue, unless the message says that it may still be enqueued: then its batch did not
 * end in time, and enqueuing the same id again makes sure of it.
 */
public class TaskEnqueueException extends AmqpTasksException {

	public TaskEnqueueException(String message, Throwable cause) {
		super(message, cause);
	}

}
