package dev.amqptasks.spi;

import java.time.Instant;
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
 * @param replay how many times the task was replayed when the message was sent (0 for a
 * new task)
 * @param notBefore when the task may run at the earliest (the end of its delay), or
 * {@code null} for at once: the registry keeps a waiting task at least until then plus
 * its time to live
 * @param sentAt when the message was sent, or {@code null} if unknown (a message from an
 * older version): a task the registry no longer has is stored again from its message only
 * while its entry cannot have expired as it was meant to
 */
public record NewTask(String id, String name, String argsJson, String kwargsJson, int maxRetries, int attempts,
		int replay, Instant notBefore, Instant sentAt) {

	/**
	 * A task that has never run.
	 * @param id the task id
	 * @param name the task name
	 * @param argsJson positional arguments as JSON text (an array)
	 * @param kwargsJson named arguments as JSON text (an object)
	 * @param maxRetries retries allowed after the first attempt, {@code -1} for no limit
	 */
	public NewTask(String id, String name, String argsJson, String kwargsJson, int maxRetries) {
		this(id, name, argsJson, kwargsJson, maxRetries, 0, 0, null, null);
	}

	/**
	 * A task that has never run and waits until the given time.
	 * @param id the task id
	 * @param name the task name
	 * @param argsJson positional arguments as JSON text (an array)
	 * @param kwargsJson named arguments as JSON text (an object)
	 * @param maxRetries retries allowed after the first attempt, {@code -1} for no limit
	 * @param notBefore when it may run at the earliest, or {@code null} for at once
	 */
	public NewTask(String id, String name, String argsJson, String kwargsJson, int maxRetries, Instant notBefore) {
		this(id, name, argsJson, kwargsJson, maxRetries, 0, 0, notBefore, null);
	}

	public NewTask {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(argsJson, "argsJson");
		Objects.requireNonNull(kwargsJson, "kwargsJson");
	}

}
