package dev.amqptasks;

/**
 * A state change that the task's current state does not allow, for example canceling a
 * task that already finished.
 */
public class IllegalTaskStateChangeException extends AmqpTasksException {

	private final String id;

	private final TaskStatus from;

	private final TaskStatus to;

	public IllegalTaskStateChangeException(String id, TaskStatus from, TaskStatus to) {
		super("Task '" + id + "' cannot change from " + from.value() + " to " + to.value());
		this.id = id;
		this.from = from;
		this.to = to;
	}

	/**
	 * The task id.
	 * @return the id
	 */
	public String getId() {
		return this.id;
	}

	/**
	 * The task's state when the change was refused.
	 * @return the current state
	 */
	public TaskStatus getFrom() {
		return this.from;
	}

	/**
	 * The state that was asked for.
	 * @return the requested state
	 */
	public TaskStatus getTo() {
		return this.to;
	}

}
