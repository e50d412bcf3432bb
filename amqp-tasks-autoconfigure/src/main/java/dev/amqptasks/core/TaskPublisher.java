package dev.amqptasks.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.amqptasks.TaskEnqueueException;
import io.micrometer.observation.Observation;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitOperations;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes task messages: persistent JSON, and returns only once the broker confirmed that a
 * queue has the message.
 */
public final class TaskPublisher {

	private final RabbitTemplate template;

	private final TaskTopology topology;

	private final JsonMapper json;

	private final Duration confirmTimeout;

	private final Clock clock;

	private final Map<String, Instant> delayQueuesDeclared = new ConcurrentHashMap<>();

	/**
	 * Creates a publisher.
	 * @param template a template whose connection factory has correlated publisher confirms and
	 * returns enabled; the publisher makes it mandatory and sets how its publishes are observed
	 * @param topology the queue names
	 * @param json the mapper for message bodies
	 * @param confirmTimeout how long to wait for the broker's confirm
	 * @param clock the clock
	 */
	public TaskPublisher(RabbitTemplate template, TaskTopology topology, JsonMapper json, Duration confirmTimeout,
			Clock clock) {
		this.template = template;
		this.template.setMandatory(true);
		this.template.setObservationConvention(new TaskTemplateObservationConvention(topology));
		this.topology = topology;
		this.json = json;
		this.confirmTimeout = confirmTimeout;
		this.clock = clock;
	}

	/**
	 * Publishes a task message and waits for the broker's confirm.
	 * @param message the message
	 * @param delay how long the message waits before it reaches the main queue, or {@code null}
	 * @throws TaskEnqueueException if the broker is unreachable, refuses the message, has no
	 * queue for it, or does not confirm in time
	 */
	public void publish(TaskMessage message, Duration delay) {
		publishAll(List.of(new Publication(message, delay, Observation.NOOP))).get(0).await();
	}

	/**
	 * Publishes task messages on one channel without waiting for the broker: the broker
	 * confirms them together, which costs it and this process far less than one message at a
	 * time.
	 * @param publications the messages
	 * @return for each message, in order, its confirmation to await
	 */
	public List<Confirmation> publishAll(List<Publication> publications) {
		List<Confirmation> confirmations = new ArrayList<>(publications.size());
		if (publications.isEmpty()) {
			return confirmations;
		}
		try {
			if (publications.size() == 1) {
				// A channel from the cache: with confirms, invoke would open and close one.
				confirmations.add(publishOn(this.template, publications.get(0)));
			}
			else {
				this.template.invoke((operations) -> {
					publications.forEach((publication) -> confirmations.add(publishOn(operations, publication)));
					return null;
				});
			}
		}
		catch (RuntimeException ex) {
			// The messages after the one that failed were never sent (and are said to have
			// failed, whatever the failure); those before it are confirmed or refused by the
			// broker as usual.
			for (Publication publication : publications.subList(confirmations.size(), publications.size())) {
				String id = publication.message().id();
				confirmations.add(new Confirmation(id, null,
						new TaskEnqueueException("Could not publish task '" + id + "': " + ex.getMessage(), ex)));
			}
		}
		return confirmations;
	}

	private Confirmation publishOn(RabbitOperations operations, Publication publication) {
		TaskMessage message = publication.message();
		CorrelationData correlation = new CorrelationData(message.id());
		String exchange = this.topology.exchange();
		String routingKey = this.topology.queue();
		if (publication.delay() != null && !publication.delay().isZero()) {
			exchange = "";
			routingKey = declaredDelayQueue(publication.delay());
		}
		// In the enqueue's scope, so that the send's observation is its child.
		try (Observation.Scope scope = publication.observation().openScope()) {
			operations.send(exchange, routingKey, toAmqp(message), correlation);
		}
		return new Confirmation(message.id(), correlation, null);
	}

	private Message toAmqp(TaskMessage message) {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(message.id());
		properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
		properties.setContentEncoding("UTF-8");
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		properties.setHeader(TaskHeaders.TASK, message.task());
		properties.setHeader(TaskHeaders.ATTEMPTS, message.attempts());
		properties.setHeader(TaskHeaders.REPLAY, message.replay());
		properties.setHeader(TaskHeaders.SENT_AT, this.clock.millis());
		return new Message(this.json.writeValueAsBytes(message), properties);
	}

	/**
	 * Puts a copy of a delivered message into the error queue, with headers saying why, and
	 * waits for the broker's confirm. The caller then acknowledges the original.
	 * @param original the delivered message
	 * @param reason why it will never run
	 * @param error the task's final error, or {@code null}
	 * @throws TaskEnqueueException if the broker did not take the copy
	 */
	public void deadLetter(Message original, String reason, dev.amqptasks.TaskError error) {
		MessageProperties properties = original.getMessageProperties();
		Message copy = new Message(original.getBody(), copyOf(properties));
		copy.getMessageProperties().setHeader(TaskHeaders.DEAD_LETTER_REASON, truncate(reason));
		if (error != null) {
			copy.getMessageProperties().setHeader(TaskHeaders.ERROR_TYPE, error.type());
			copy.getMessageProperties().setHeader(TaskHeaders.ERROR_MESSAGE, truncate(error.message()));
		}
		String id = (properties.getMessageId() != null) ? properties.getMessageId() : "(no id)";
		send(id, this.topology.exchange(), this.topology.errorQueue(), copy);
	}

	/**
	 * Puts a delivered message back through a delay queue unchanged: it is looked at again
	 * after the delay.
	 * @param original the delivered message
	 * @param delay how long it waits
	 * @throws TaskEnqueueException if the broker did not take it
	 */
	public void defer(Message original, Duration delay) {
		Message copy = new Message(original.getBody(), copyOf(original.getMessageProperties()));
		copy.getMessageProperties().setHeader(TaskHeaders.SENT_AT, this.clock.millis());
		String id = original.getMessageProperties().getMessageId();
		send(id, "", declaredDelayQueue(delay), copy);
	}

	private static MessageProperties copyOf(MessageProperties properties) {
		MessageProperties copy = new MessageProperties();
		copy.setMessageId(properties.getMessageId());
		copy.setContentType(properties.getContentType());
		copy.setContentEncoding(properties.getContentEncoding());
		copy.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		properties.getHeaders().forEach((name, value) -> {
			// The broker's own dead-letter history does not belong on a message we send.
			if (!name.startsWith("x-death") && !name.startsWith("x-first-death") && !name.startsWith("x-last-death")) {
				copy.setHeader(name, value);
			}
		});
		return copy;
	}

	private static String truncate(String text) {
		return (text != null && text.length() > 1000) ? text.substring(0, 1000) : text;
	}

	private void send(String id, String exchange, String routingKey, Message message) {
		CorrelationData correlation = new CorrelationData(id);
		try {
			this.template.send(exchange, routingKey, message, correlation);
		}
		catch (AmqpException ex) {
			throw new TaskEnqueueException("Could not publish task '" + id + "': " + ex.getMessage(), ex);
		}
		new Confirmation(id, correlation, null).await();
	}

	private String declaredDelayQueue(Duration delay) {
		TaskTopology.DelayQueue queue = this.topology.delayQueueFor(delay);
		if (queue.arguments() == null) {
			return queue.name();
		}
		// Redeclaring resets the queue's x-expires timer; a minute of slack stays inside its margin.
		Instant now = this.clock.instant();
		Instant declared = this.delayQueuesDeclared.get(queue.name());
		if (declared == null || declared.isBefore(now.minusSeconds(30))) {
			this.template.execute((channel) -> channel.queueDeclare(queue.name(), true, false, false, queue.arguments()));
			this.delayQueuesDeclared.put(queue.name(), now);
		}
		return queue.name();
	}

	/**
	 * The deadline for the confirms of messages published now.
	 * @return now plus the confirm timeout, on the {@link System#nanoTime()} scale
	 */
	public long confirmDeadline() {
		return System.nanoTime() + this.confirmTimeout.toNanos();
	}

	/**
	 * A message to publish.
	 *
	 * @param message the task message
	 * @param delay how long it waits before it reaches the main queue, or {@code null}
	 * @param observation the observation whose child the send becomes
	 */
	public record Publication(TaskMessage message, Duration delay, Observation observation) {
	}

	/**
	 * Whether the broker took one published message.
	 */
	public final class Confirmation {

		private final String id;

		private final CorrelationData correlation;

		private final TaskEnqueueException failure;

		private Confirmation(String id, CorrelationData correlation, TaskEnqueueException failure) {
			this.id = id;
			this.correlation = correlation;
			this.failure = failure;
		}

		/**
		 * Waits, at most the publisher's confirm timeout, for the broker to confirm that a
		 * queue has the message.
		 * @throws TaskEnqueueException if the message was not sent, or the broker refused it,
		 * had no queue for it, or did not confirm in time
		 */
		public void await() {
			awaitUntil(confirmDeadline());
		}

		/**
		 * Waits, until the given deadline, for the broker to confirm that a queue has the
		 * message: messages published together share one deadline.
		 * @param deadlineNanos the deadline on the {@link System#nanoTime()} scale
		 * @throws TaskEnqueueException if the message was not sent, or the broker refused it,
		 * had no queue for it, or did not confirm in time
		 * @see #confirmDeadline()
		 */
		public void awaitUntil(long deadlineNanos) {
			if (this.failure != null) {
				throw this.failure;
			}
			CorrelationData.Confirm confirm;
			long timeout = TaskPublisher.this.confirmTimeout.toMillis();
			try {
				confirm = this.correlation.getFuture()
					.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new TaskEnqueueException(
						"Interrupted while waiting for the broker to confirm task '" + this.id + "'", ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				throw new TaskEnqueueException(
						"The broker did not confirm task '" + this.id + "' within " + timeout + " ms", ex);
			}
			if (!confirm.ack()) {
				throw new TaskEnqueueException("The broker refused task '" + this.id + "': " + confirm.reason(),
						null);
			}
			if (this.correlation.getReturned() != null) {
				throw new TaskEnqueueException("No queue took task '" + this.id + "' ("
						+ this.correlation.getReturned().getReplyText()
						+ "): is the topology declared (spring.rabbitmq.dynamic)?", null);
			}
		}

	}

}
