package dev.amqptasks.spi;

import dev.amqptasks.AmqpTasksException;
import dev.amqptasks.TaskStatus;

/**
 * Thrown when an attempt stores something about a task that it no longer holds: its lease
 * ran out and another attempt took over, or the task ended or expired meanwhile. The
 * attempt's worker stops it and stores nothing more for it.
 */
public class AttemptLostException extends AmqpTasksException {

	private final String id;

	private final TaskStatus status;

	/**
	 * Creates an exception.
	 * @param id the task id
	 * @param status the task's state now
	 */
	public AttemptLostException(String id, TaskStatus status) {
		super("The attempt no longer holds task '" + id + "' (now " + status.value()
				+ "): another attempt took over after its lease ran out, or the task ended");
		this.id = id;
		this.status = status;
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
	 * @return the state
	 */
	public TaskStatus getStatus() {
		return this.status;
	}

}
