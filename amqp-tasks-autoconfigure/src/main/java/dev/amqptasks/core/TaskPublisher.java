package dev.amqptasks.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.amqptasks.TaskEnqueueException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
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
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(message.id());
		properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
		properties.setContentEncoding("UTF-8");
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		properties.setHeader(TaskHeaders.TASK, message.task());
		properties.setHeader(TaskHeaders.ATTEMPTS, message.attempts());
		properties.setHeader(TaskHeaders.REPLAY, message.replay());
		Message amqpMessage = new Message(this.json.writeValueAsBytes(message), properties);
		if (delay == null || delay.isZero()) {
			send(message.id(), this.topology.exchange(), this.topology.queue(), amqpMessage);
		}
		else {
			send(message.id(), "", declaredDelayQueue(delay), amqpMessage);
		}
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
			awaitConfirm(id, correlation);
		}
		catch (AmqpException ex) {
			throw new TaskEnqueueException("Could not publish task '" + id + "': " + ex.getMessage(), ex);
		}
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

	private void awaitConfirm(String id, CorrelationData correlation) {
		CorrelationData.Confirm confirm;
		try {
			confirm = correlation.getFuture().get(this.confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new TaskEnqueueException("Interrupted while waiting for the broker to confirm task '"
					+ id + "'", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new TaskEnqueueException("The broker did not confirm task '" + id + "' within "
					+ this.confirmTimeout.toMillis() + " ms", ex);
		}
		if (!confirm.ack()) {
			throw new TaskEnqueueException(
					"The broker refused task '" + id + "': " + confirm.reason(), null);
		}
		if (correlation.getReturned() != null) {
			throw new TaskEnqueueException("No queue took task '" + id + "' (" + correlation.getReturned()
				.getReplyText() + "): is the topology declared (spring.rabbitmq.dynamic)?", null);
		}
	}

}
