package dev.amqptasks.registry;

import java.util.Objects;

/**
 * A task as a producer creates it.
 *
 * @param id the task id
 * @param name the task name
 * @param argsJson positional arguments as JSON text (an array)
 * @param kwargsJson named arguments as JSON text (an object)
 * @param maxRetries retries allowed after the first attempt, {@code -1} for no limit
 * @param attempts attempts already started, as the message says (0 for a new task)
 * @param replay how many times the task was replayed when the message was sent (0 for a new task)
 */
public record NewTask(String id, String name, String argsJson, String kwargsJson, int maxRetries, int attempts,
		int replay) {

	/**
	 * A task that has never run.
	 * @param id the task id
	 * @param name the task name
	 * @param argsJson positional arguments as JSON text (an array)
	 * @param kwargsJson named arguments as JSON text (an object)
	 * @param maxRetries retries allowed after the first attempt, {@code -1} for no limit
	 */
	public NewTask(String id, String name, String argsJson, String kwargsJson, int maxRetries) {
		this(id, name, argsJson, kwargsJson, maxRetries, 0, 0);
	}

	public NewTask {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(argsJson, "argsJson");
		Objects.requireNonNull(kwargsJson, "kwargsJson");
	}

}
