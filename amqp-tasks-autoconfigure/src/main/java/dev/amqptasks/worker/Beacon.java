package dev.amqptasks.worker;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The worker's proof of life. Every {@code ttl} it publishes a beacon into its own delay
 * queue; after {@code ttl} the broker dead-letters it into its beacon queue, which the
 * worker consumes with the same container, connection and threads as its tasks. A beacon
 * that comes back proves the whole path works: publishing, the broker, and consuming.
 * When none came back for three periods the worker is not consuming, whatever its sockets
 * say.
 * <p>
 * Both queues are exclusive to the worker's connection, so they vanish with it; they are
 * declared again with the connection.
 */
final class Beacon {

	private final String queue;

	private final String delayQueue;

	private final Duration ttl;

	private final Clock clock;

	private final RabbitTemplate template;

	private volatile Instant since;

	private volatile Instant lastBeacon;

	Beacon(ConnectionFactory connectionFactory, String taskQueue, String workerId, Duration ttl, Clock clock) {
		this.queue = taskQueue + "-beacon-" + workerId;
		this.delayQueue = taskQueue + "-beacon-delay-" + workerId;
		this.ttl = ttl;
		this.clock = clock;
		this.template = new RabbitTemplate(connectionFactory);
		this.since = clock.instant();
	}

	String queue() {
		return this.queue;
	}

	List<Queue> queues() {
		return List.of(QueueBuilder.nonDurable(this.queue).exclusive().build(),
				QueueBuilder.nonDurable(this.delayQueue)
					.exclusive()
					.ttl(Math.toIntExact(this.ttl.toMillis()))
					.deadLetterExchange("")
					.deadLetterRoutingKey(this.queue)
					.build());
	}

	/**
	 * Sends the next beacon. It does not wait for a confirm: a beacon that does not make
	 * it is what the check notices.
	 */
	void send() {
		MessageProperties properties = new MessageProperties();
		properties.setContentType(MessageProperties.CONTENT_TYPE_TEXT_PLAIN);
		byte[] body = this.clock.instant().toString().getBytes(StandardCharsets.UTF_8);
		this.template.send("", this.delayQueue, new Message(body, properties));
	}

	/**
	 * A new connection replaced the old one, and its beacon queues with the beacon in
	 * flight: the next beacon is awaited from now.
	 */
	void connected() {
		this.since = this.clock.instant();
	}

	void received() {
		this.lastBeacon = this.clock.instant();
	}

	/**
	 * When the last beacon came back.
	 * @return the time, or {@code null} before the first
	 */
	Instant lastBeacon() {
		return this.lastBeacon;
	}

	/**
	 * How long since the last beacon came back, or since the beacon started or its
	 * connection was replaced, whichever is latest.
	 */
	Duration age() {
		Instant last = this.lastBeacon;
		Instant from = (last != null && last.isAfter(this.since)) ? last : this.since;
		return Duration.between(from, this.clock.instant());
	}

	/**
	 * Whether three periods passed without a beacon.
	 */
	boolean isOverdue() {
		return age().compareTo(this.ttl.multipliedBy(3)) > 0;
	}

	Duration ttl() {
		return this.ttl;
	}

}
