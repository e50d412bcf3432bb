package dev.amqptasks;

/**
 * The registry has no task with the given id (never stored, or expired).
 */
public class TaskNotFoundException extends AmqpTasksException {

	private final String id;

	public TaskNotFoundException(String id) {
		super("No task with id '" + id + "'");
		this.id = id;
	}

	/**
	 * The id that was looked up.
	 * @return the id
	 */
	public String getId() {
		return this.id;
	}

}
