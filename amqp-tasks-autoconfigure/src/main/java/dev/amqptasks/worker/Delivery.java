package dev.amqptasks.worker;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import com.rabbitmq.client.Channel;
import dev.amqptasks.TaskError;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.spi.TaskHeaders;
import io.micrometer.observation.Observation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.core.Message;

/**
 * The broker side of one delivery, and the observation of its receipt. A failed
 * acknowledgement needs no action: the channel is gone and the broker delivers the
 * message again.
 *
 * @param message the delivered message
 * @param channel the channel it came on
 * @param publisher publishes its copies: deferred, forwarded, dead-lettered
 * @param received the observation of its receipt, or {@code null}
 */
record Delivery(Message message, Channel channel, TaskPublisher publisher, Observation received) {

	// Logged as the runner: its log level (and the tests' log settings) cover these
	// lines.
	private static final Log logger = LogFactory.getLog(TaskRunner.class);

	long tag() {
		return this.message.getMessageProperties().getDeliveryTag();
	}

	/**
	 * When the message was sent, if it says.
	 */
	Instant sentAt() {
		Object sentAt = this.message.getMessageProperties().getHeader(TaskHeaders.SENT_AT);
		return (sentAt instanceof Number millis) ? Instant.ofEpochMilli(millis.longValue()) : null;
	}

	void ack() {
		try {
			this.channel.basicAck(tag(), false);
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not acknowledge a message; it will be delivered again: " + ex.getMessage());
		}
	}

	void requeue() {
		try {
			this.channel.basicNack(tag(), false, true);
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not requeue a message; the broker will when the channel closes: " + ex.getMessage());
		}
	}

	/**
	 * Sends the message on to the next hop of its delay if it is not due yet, then
	 * acknowledges it; if it cannot be sent, returns it to the queue.
	 * @return whether the message is dealt with ({@code false}: it is due)
	 */
	boolean forwardIfNotDue(Instant notBefore) {
		try {
			if (!this.publisher.forwardIfNotDue(this.message, notBefore, this.received)) {
				return false;
			}
			ack();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not send a delayed message on to its next hop; returning it to the queue: "
					+ ex.getMessage());
			requeue();
		}
		return true;
	}

	void defer(Duration delay) {
		try {
			this.publisher.defer(this.message, delay);
			ack();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not defer a message; returning it to the queue: " + ex.getMessage());
			requeue();
		}
	}

	/**
	 * Puts the message into the error queue with the reason in its headers, then
	 * acknowledges it; if the copy cannot be published, rejects it so that the main queue
	 * dead-letters it (without the headers).
	 */
	void deadLetter(String reason, TaskError error) {
		try {
			this.publisher.deadLetter(this.message, reason, error);
			ack();
			return;
		}
		catch (RuntimeException ex) {
			logger.warn("Could not publish to the error queue; rejecting instead: " + ex.getMessage());
		}
		try {
			this.channel.basicReject(tag(), false);
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not reject a message; it will be delivered again: " + ex.getMessage());
		}
	}

}
