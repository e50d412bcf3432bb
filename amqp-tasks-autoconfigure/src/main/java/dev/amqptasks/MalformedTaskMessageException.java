package dev.amqptasks;

/**
 * A task message that can never run: its body is not JSON, not a JSON object, has no
 * valid task id or name, malformed arguments, or is larger than the worker's limit. The
 * worker dead-letters such a message; if it had an id the registry knows, the task ends
 * {@code errored} with this type.
 */
public class MalformedTaskMessageException extends AmqpTasksException {

	private final String taskId;

	public MalformedTaskMessageException(String taskId, String reason) {
		super(reason);
		this.taskId = taskId;
	}

	/**
	 * The task id, when the message had a valid one.
	 * @return the id, or {@code null}
	 */
	public String taskId() {
		return this.taskId;
	}

}
