package dev.amqptasks.core;

import com.fasterxml.jackson.annotation.JsonIgnore;
import tools.jackson.databind.JsonNode;

/**
 * A task message. The body is a JSON object of the id, name and arguments; the attempt count
 * and replay number travel as headers ({@link TaskHeaders}), so that a retry can change them
 * without touching the body. The AMQP {@code message-id} carries the id too.
 *
 * @param id the task id
 * @param task the task name
 * @param args positional arguments (a JSON array)
 * @param kwargs named arguments (a JSON object)
 * @param attempts attempts started before this message was sent
 * @param replay the task's replay number when this message was sent
 */
public record TaskMessage(String id, String task, JsonNode args, JsonNode kwargs, @JsonIgnore int attempts,
		@JsonIgnore int replay) {

	/**
	 * A message for a task that has not run yet.
	 * @param id the task id
	 * @param task the task name
	 * @param args positional arguments
	 * @param kwargs named arguments
	 */
	public TaskMessage(String id, String task, JsonNode args, JsonNode kwargs) {
		this(id, task, args, kwargs, 0, 0);
	}

	/**
	 * The same message after more attempts.
	 * @param attempts attempts started so far
	 * @return the message for the retry
	 */
	public TaskMessage withAttempts(int attempts) {
		return new TaskMessage(this.id, this.task, this.args, this.kwargs, attempts, this.replay);
	}

}
