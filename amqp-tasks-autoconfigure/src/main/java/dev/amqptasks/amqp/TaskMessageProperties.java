package dev.amqptasks.amqp;

import java.time.Duration;
import java.time.Instant;

import dev.amqptasks.TaskError;
import dev.amqptasks.spi.TaskHeaders;

import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * The properties and headers of the messages {@link TaskPublisher} sends: a task's own
 * message, and the copies of a delivered one that go through a delay queue or into the
 * error queue.
 */
final class TaskMessageProperties {

	/** The longest text kept in a header. */
	private static final int MAX_HEADER_TEXT = 1000;

	private TaskMessageProperties() {
	}

	/**
	 * The properties of a task's message sent now: persistent JSON, with the task's
	 * headers.
	 */
	static MessageProperties of(TaskMessage message, Instant now) {
		MessageProperties properties = persistentJson(message.id());
		properties.setHeader(TaskHeaders.TASK, message.task());
		properties.setHeader(TaskHeaders.ATTEMPTS, message.attempts());
		properties.setHeader(TaskHeaders.REPLAY, message.replay());
		properties.setHeader(TaskHeaders.SENT_AT, now.toEpochMilli());
		if (message.notBefore() != null) {
			properties.setHeader(TaskHeaders.NOT_BEFORE, message.notBefore().toEpochMilli());
		}
		return properties;
	}

	/**
	 * The properties of a delivered message, for a copy to send: its id, content and
	 * headers, without the broker's own dead-letter history.
	 */
	static MessageProperties copyOf(MessageProperties properties) {
		MessageProperties copy = persistentJson(properties.getMessageId());
		copy.setContentType(properties.getContentType());
		copy.setContentEncoding(properties.getContentEncoding());
		properties.getHeaders().forEach((name, value) -> {
			// The broker's own dead-letter history does not belong on a message we send.
			if (!name.startsWith("x-death") && !name.startsWith("x-first-death") && !name.startsWith("x-last-death")) {
				copy.setHeader(name, value);
			}
		});
		return copy;
	}

	/**
	 * The properties of a delivered message's copy for the error queue, with headers
	 * saying why it is there.
	 */
	static MessageProperties deadLetterCopyOf(MessageProperties properties, String reason, TaskError error) {
		MessageProperties copy = copyOf(properties);
		copy.setHeader(TaskHeaders.DEAD_LETTER_REASON, truncate(reason));
		if (error != null) {
			copy.setHeader(TaskHeaders.ERROR_TYPE, error.type());
			copy.setHeader(TaskHeaders.ERROR_MESSAGE, truncate(error.message()));
		}
		return copy;
	}

	/** The time until a due time, rounded up: a delay never ends early. */
	static long remainingMillis(Instant now, Instant notBefore) {
		Duration remaining = Duration.between(now, notBefore);
		return remaining.isNegative() ? 0 : remaining.plusNanos(999_999).toMillis();
	}

	private static MessageProperties persistentJson(String id) {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(id);
		properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
		properties.setContentEncoding("UTF-8");
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		return properties;
	}

	private static String truncate(String text) {
		return (text != null && text.length() > MAX_HEADER_TEXT) ? text.substring(0, MAX_HEADER_TEXT) : text;
	}

}
