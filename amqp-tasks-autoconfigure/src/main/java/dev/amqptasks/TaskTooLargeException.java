package dev.amqptasks;

/**
 * A task's message would be larger than workers accept
 * ({@code amqp-tasks.worker.max-message-size}): it is refused at enqueue time, before
 * anything is stored or published, rather than dead-lettered by a worker later.
 */
public class TaskTooLargeException extends AmqpTasksException {

	private final long size;

	private final long limit;

	/**
	 * Creates the exception.
	 * @param task the task name
	 * @param size the size of the task's message body, in bytes
	 * @param limit the largest message body workers accept, in bytes
	 */
	public TaskTooLargeException(String task, long size, long limit) {
		super("Task '" + task + "' is too large: its message of " + size + " bytes is larger than the limit of " + limit
				+ " bytes (amqp-tasks.worker.max-message-size)");
		this.size = size;
		this.limit = limit;
	}

	/**
	 * The size of the task's message body.
	 * @return the size in bytes
	 */
	public long getSize() {
		return this.size;
	}

	/**
	 * The largest message body workers accept.
	 * @return the limit in bytes
	 */
	public long getLimit() {
		return this.limit;
	}

}
