package dev.amqptasks.worker;

import java.time.Instant;

import dev.amqptasks.MalformedTaskMessageException;
import dev.amqptasks.TaskIds;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.spi.TaskHeaders;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;

/**
 * Reads a delivered message into a {@link TaskMessage}, or says precisely why it is not
 * one.
 */
final class MessageReader {

	private final JsonMapper json;

	private final long maxSize;

	MessageReader(JsonMapper json, long maxSize) {
		this.json = json;
		this.maxSize = maxSize;
	}

	TaskMessage read(Message message) {
		String messageId = message.getMessageProperties().getMessageId();
		if (message.getBody().length > this.maxSize) {
			throw new MalformedTaskMessageException(messageId,
					"its body of " + message.getBody().length + " bytes is larger than the limit of " + this.maxSize);
		}
		JsonNode body;
		try {
			body = this.json.readTree(message.getBody());
		}
		catch (JacksonException ex) {
			throw new MalformedTaskMessageException(messageId, "the body is not JSON: " + ex.getOriginalMessage());
		}
		if (body == null || !body.isObject()) {
			throw new MalformedTaskMessageException(messageId, "the body is not a JSON object");
		}
		String id = text(body, "id");
		if (id == null) {
			throw new MalformedTaskMessageException(messageId, "it has no task id");
		}
		if (!TaskIds.isValid(id)) {
			// Never stored: a producer that is not amqp-tasks' own sent an id no endpoint
			// could reach.
			throw new MalformedTaskMessageException(null, TaskIds.describeInvalid(id));
		}
		String task = text(body, "task");
		if (task == null) {
			throw new MalformedTaskMessageException(id, "it has no task name");
		}
		JsonNode args = body.get("args");
		JsonNode kwargs = body.get("kwargs");
		if (args != null && !args.isNull() && !args.isArray()) {
			throw new MalformedTaskMessageException(id, "its args are not a JSON array");
		}
		if (kwargs != null && !kwargs.isNull() && !kwargs.isObject()) {
			throw new MalformedTaskMessageException(id, "its kwargs are not a JSON object");
		}
		return new TaskMessage(id, task, (args != null && args.isArray()) ? args : this.json.createArrayNode(),
				(kwargs != null && kwargs.isObject()) ? kwargs : this.json.createObjectNode(),
				header(message, TaskHeaders.ATTEMPTS), header(message, TaskHeaders.REPLAY), notBefore(message));
	}

	private static Instant notBefore(Message message) {
		Object value = message.getMessageProperties().getHeader(TaskHeaders.NOT_BEFORE);
		if (value instanceof Number millis) {
			return Instant.ofEpochMilli(millis.longValue());
		}
		if (value != null) {
			try {
				return Instant.ofEpochMilli(Long.parseLong(value.toString()));
			}
			catch (NumberFormatException ex) {
				// A header we did not write: the message is due at once.
			}
		}
		return null;
	}

	private static int header(Message message, String name) {
		Object value = message.getMessageProperties().getHeader(name);
		if (value instanceof Number number) {
			return Math.max(0, number.intValue());
		}
		if (value != null) {
			try {
				return Math.max(0, Integer.parseInt(value.toString()));
			}
			catch (NumberFormatException ex) {
				// A header we did not write: count from the registry alone.
			}
		}
		return 0;
	}

	private static String text(JsonNode body, String field) {
		JsonNode value = body.get(field);
		return (value != null && value.isString() && !value.asString().isBlank()) ? value.asString() : null;
	}

}
