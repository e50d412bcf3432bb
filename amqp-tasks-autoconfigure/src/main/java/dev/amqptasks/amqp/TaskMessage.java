package dev.amqptasks.amqp;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.amqptasks.spi.TaskHeaders;
import tools.jackson.databind.JsonNode;

/**
 * A task message. The body is a JSON object of the id, name and arguments; the attempt
 * count, replay number and due time travel as headers ({@link TaskHeaders}), so that a
 * retry or a delay can change them without touching the body. The AMQP {@code message-id}
 * carries the id too.
 *
 * @param id the task id
 * @param task the task name
 * @param args positional arguments (a JSON array)
 * @param kwargs named arguments (a JSON object)
 * @param attempts attempts started before this message was sent
 * @param replay the task's replay number when this message was sent
 * @param notBefore when the task may run at the earliest, or {@code null} for at once
 */
public record TaskMessage(String id, String task, JsonNode args, JsonNode kwargs, @JsonIgnore int attempts,
		@JsonIgnore int replay, @JsonIgnore Instant notBefore) {

	/**
	 * A message for a task that has not run yet.
	 * @param id the task id
	 * @param task the task name
	 * @param args positional arguments
	 * @param kwargs named arguments
	 */
	public TaskMessage(String id, String task, JsonNode args, JsonNode kwargs) {
		this(id, task, args, kwargs, 0, 0, null);
	}

	/**
	 * A message that may run at once.
	 * @param id the task id
	 * @param task the task name
	 * @param args positional arguments
	 * @param kwargs named arguments
	 * @param attempts attempts started before this message was sent
	 * @param replay the task's replay number
	 */
	public TaskMessage(String id, String task, JsonNode args, JsonNode kwargs, int attempts, int replay) {
		this(id, task, args, kwargs, attempts, replay, null);
	}

	/**
	 * The same message after more attempts.
	 * @param attempts attempts started so far
	 * @return the message for the retry
	 */
	public TaskMessage withAttempts(int attempts) {
		return new TaskMessage(this.id, this.task, this.args, this.kwargs, attempts, this.replay, this.notBefore);
	}

	/**
	 * The same message with another due time.
	 * @param notBefore when the task may run at the earliest, or {@code null} for at once
	 * @return the message
	 */
	public TaskMessage withNotBefore(Instant notBefore) {
		return new TaskMessage(this.id, this.task, this.args, this.kwargs, this.attempts, this.replay, notBefore);
	}

}
