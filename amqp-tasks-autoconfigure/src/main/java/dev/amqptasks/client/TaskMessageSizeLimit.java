package dev.amqptasks.client;

import java.io.OutputStream;

import dev.amqptasks.TaskTooLargeException;
import dev.amqptasks.amqp.TaskMessage;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses, at enqueue time, a task whose message body would be larger than workers accept
 * ({@code amqp-tasks.worker.max-message-size}): the body is measured as the publisher
 * writes it, without keeping it.
 */
final class TaskMessageSizeLimit {

	/** No limit. */
	public static final TaskMessageSizeLimit NONE = new TaskMessageSizeLimit(null, Long.MAX_VALUE);

	private final JsonMapper json;

	private final long maxBytes;

	/**
	 * Creates the limit.
	 * @param json the mapper that writes message bodies
	 * @param maxBytes the largest body accepted, in bytes
	 */
	public TaskMessageSizeLimit(JsonMapper json, long maxBytes) {
		this.json = json;
		this.maxBytes = maxBytes;
	}

	/**
	 * Checks a task's message.
	 * @param message the message
	 * @throws TaskTooLargeException if its body is larger than the limit
	 */
	public void check(TaskMessage message) {
		if (this.maxBytes == Long.MAX_VALUE) {
			return;
		}
		CountingOutputStream counter = new CountingOutputStream();
		this.json.writeValue(counter, message);
		if (counter.count > this.maxBytes) {
			throw new TaskTooLargeException(message.task(), counter.count, this.maxBytes);
		}
	}

	/**
	 * The largest body accepted.
	 * @return the limit in bytes, {@link Long#MAX_VALUE} for none
	 */
	public long maxBytes() {
		return this.maxBytes;
	}

	private static final class CountingOutputStream extends OutputStream {

		private long count;

		@Override
		public void write(int b) {
			this.count++;
		}

		@Override
		public void write(byte[] b, int off, int len) {
			this.count += len;
		}

	}

}
