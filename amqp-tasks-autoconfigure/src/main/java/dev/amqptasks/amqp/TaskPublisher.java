package dev.amqptasks.amqp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.spi.TaskHeaders;
import io.micrometer.observation.Observation;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitOperations;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes task messages: persistent JSON, and returns only once the broker confirmed
 * that a queue has the message. A message that is not due yet goes through the delay
 * queues of the {@link DelayLadder}; each delay queue is declared on first use, on a
 * channel of its own.
 */
public final class TaskPublisher {

	/** How long a delay queue counts as declared: redeclaring it restarts its expiry. */
	private static final Duration REDECLARE_AFTER = Duration.ofSeconds(30);

	private final RabbitTemplate template;

	private final TaskTopology topology;

	private final DelayLadder ladder;

	private final JsonMapper json;

	private final Duration confirmTimeout;

	private final Clock clock;

	/**
	 * When each step's queue was last declared: at most one entry per step of the ladder.
	 */
	private final Map<Long, Instant> delayQueuesDeclared = new ConcurrentHashMap<>();

	/**
	 * Creates a publisher.
	 * @param template a template whose connection factory has correlated publisher
	 * confirms and returns enabled; the publisher makes it mandatory and sets how its
	 * publishes are observed
	 * @param topology the queue names and the delay ladder
	 * @param json the mapper for message bodies
	 * @param confirmTimeout how long to wait for the broker's confirm
	 * @param clock the clock that due times are compared with
	 */
	public TaskPublisher(RabbitTemplate template, TaskTopology topology, JsonMapper json, Duration confirmTimeout,
			Clock clock) {
		this.template = template;
		this.template.setMandatory(true);
		this.template.setObservationConvention(new TaskTemplateObservationConvention(topology));
		this.topology = topology;
		this.ladder = topology.ladder();
		this.json = json;
		this.confirmTimeout = confirmTimeout;
		this.clock = clock;
	}

	/**
	 * Publishes a task message and waits for the broker's confirm.
	 * @param message the message
	 * @param delay how long the message waits before it reaches the main queue, or
	 * {@code null}: it becomes the message's due time
	 * @throws TaskEnqueueException if the broker is unreachable, refuses the message, has
	 * no queue for it, or does not confirm in time
	 */
	public void publish(TaskMessage message, Duration delay) {
		TaskMessage timed = (delay != null && !delay.isZero()) ? message.withNotBefore(dueAfter(delay)) : message;
		publishAll(List.of(new Publication(timed, Observation.NOOP))).get(0).await();
	}

	/**
	 * The due time of a message delayed from now.
	 * @param delay the delay
	 * @return now plus the delay
	 */
	public Instant dueAfter(Duration delay) {
		return this.clock.instant().plus(delay);
	}

	/**
	 * Publishes task messages on one channel without waiting for the broker: the broker
	 * confirms them together, which costs it and this process far less than one message
	 * at a time. A message that cannot be published fails alone: the delay queues are
	 * declared first, on channels of their own, and if the channel fails part way, the
	 * messages not yet sent go on a fresh one.
	 * @param publications the messages
	 * @return for each message, in order, its confirmation to await
	 */
	public List<Confirmation> publishAll(List<Publication> publications) {
		Confirmation[] confirmations = new Confirmation[publications.size()];
		Instant now = this.clock.instant();
		Map<Long, AmqpException> undeclared = new HashMap<>();
		List<Outgoing> outgoing = new ArrayList<>(publications.size());
		for (int i = 0; i < publications.size(); i++) {
			Publication publication = publications.get(i);
			String id = publication.message().id();
			Outgoing next = route(i, publication, now);
			AmqpException failure = (next.step() > 0) ? undeclared.computeIfAbsent(next.step(), this::declareDelayQueue)
					: null;
			if (failure != null) {
				confirmations[i] = new Confirmation(id, null, null, new TaskEnqueueException(
						"Could not declare the delay queue for task '" + id + "': " + failure.getMessage(), failure));
			}
			else {
				outgoing.add(next);
			}
		}
		sendAll(outgoing, confirmations);
		return List.of(confirmations);
	}

	private Outgoing route(int index, Publication publication, Instant now) {
		TaskMessage message = publication.message();
		MessageProperties properties = TaskMessageProperties.of(message, now);
		long step = 0;
		if (message.notBefore() != null) {
			long remaining = TaskMessageProperties.remainingMillis(now, message.notBefore());
			long slack = DelayLadder.slackFor(remaining);
			step = this.ladder.next(remaining, slack);
			if (step > 0) {
				properties.setHeader(TaskHeaders.DELAY_SLACK, slack);
			}
		}
		Message amqp = new Message(this.json.writeValueAsBytes(message), properties);
		if (step > 0) {
			return new Outgoing(index, message.id(), "", this.topology.delayQueue(step).name(), amqp,
					publication.observation(), step);
		}
		return new Outgoing(index, message.id(), this.topology.exchange(), this.topology.queue(), amqp,
				publication.observation(), 0);
	}

	/**
	 * Declares the queue of a step unless that was done recently.
	 * @return {@code null}, or why the broker refused it
	 */
	private AmqpException declareDelayQueue(long step) {
		Instant now = this.clock.instant();
		Instant declared = this.delayQueuesDeclared.get(step);
		if (declared != null && declared.isAfter(now.minus(REDECLARE_AFTER))) {
			return null;
		}
		TaskTopology.DelayQueue queue = this.topology.delayQueue(step);
		try {
			// A channel of its own, never the one a batch publishes on: a refused
			// declaration
			// closes its channel.
			this.template
				.execute((channel) -> channel.queueDeclare(queue.name(), true, false, false, queue.arguments()));
			this.delayQueuesDeclared.put(step, now);
			return null;
		}
		catch (AmqpException ex) {
			return ex;
		}
	}

	private void sendAll(List<Outgoing> outgoing, Confirmation[] confirmations) {
		if (outgoing.size() == 1) {
			// A channel from the cache: with confirms, invoke would open and close one.
			Outgoing only = outgoing.get(0);
			try {
				confirmations[only.index()] = send(this.template, only);
			}
			catch (RuntimeException ex) {
				confirmations[only.index()] = failed(only, ex);
			}
			return;
		}
		int[] next = { 0 };
		while (next[0] < outgoing.size()) {
			int first = next[0];
			try {
				this.template.invoke((operations) -> {
					for (; next[0] < outgoing.size(); next[0]++) {
						Outgoing message = outgoing.get(next[0]);
						confirmations[message.index()] = send(operations, message);
					}
					return null;
				});
			}
			catch (AmqpConnectException ex) {
				// No connection at all: a fresh channel would fail alike for each
				// message.
				for (Outgoing message : outgoing.subList(next[0], outgoing.size())) {
					confirmations[message.index()] = failed(message, ex);
				}
				return;
			}
			catch (RuntimeException ex) {
				// The channel failed, maybe for a message sent earlier: the messages not
				// yet sent go
				// on a fresh channel, and one that fails first thing on a fresh channel
				// fails alone.
				// Those sent before learn from their confirms.
				if (next[0] == first) {
					Outgoing message = outgoing.get(next[0]);
					confirmations[message.index()] = failed(message, ex);
					next[0]++;
				}
			}
		}
	}

	private Confirmation send(RabbitOperations operations, Outgoing message) {
		CorrelationData correlation = new CorrelationData(message.id());
		// In the enqueue's scope, so that the send's observation is its child.
		try (Observation.Scope scope = message.observation().openScope()) {
			operations.send(message.exchange(), message.routingKey(), message.message(), correlation);
		}
		return new Confirmation(message.id(), message, correlation, null);
	}

	private Confirmation failed(Outgoing message, RuntimeException ex) {
		return new Confirmation(message.id(), null, null,
				new TaskEnqueueException("Could not publish task '" + message.id() + "': " + ex.getMessage(), ex));
	}

	/**
	 * Puts a copy of a delivered message into the error queue, with headers saying why,
	 * and waits for the broker's confirm. The caller then acknowledges the original.
	 * @param original the delivered message
	 * @param reason why it will never run
	 * @param error the task's final error, or {@code null}
	 * @throws TaskEnqueueException if the broker did not take the copy
	 */
	public void deadLetter(Message original, String reason, dev.amqptasks.TaskError error) {
		MessageProperties properties = original.getMessageProperties();
		Message copy = new Message(original.getBody(),
				TaskMessageProperties.deadLetterCopyOf(properties, reason, error));
		String id = (properties.getMessageId() != null) ? properties.getMessageId() : "(no id)";
		sendAndAwait(
				new Outgoing(0, id, this.topology.exchange(), this.topology.errorQueue(), copy, Observation.NOOP, 0));
	}

	/**
	 * Puts a delivered message back through a delay queue unchanged: it is looked at
	 * again after the delay, rounded up to a step of the ladder (at most its top step).
	 * @param original the delivered message
	 * @param delay how long it waits at least
	 * @throws TaskEnqueueException if the broker did not take it
	 */
	public void defer(Message original, Duration delay) {
		sendThroughDelayQueue(original, this.ladder.atLeast(delay.toMillis()), Observation.NOOP);
	}

	/**
	 * Sends a delivered message on to the next hop of its delay if it is not due yet, and
	 * waits for the broker's confirm; the caller then acknowledges the original. A
	 * message is due once its due time has come, never before.
	 * @param original the delivered message
	 * @param notBefore its due time
	 * @param received the observation of its receipt, whose trace the hop continues, or
	 * {@code null}
	 * @return whether it was sent on ({@code false}: it is due, nothing was sent)
	 * @throws TaskEnqueueException if the broker did not take it
	 */
	public boolean forwardIfNotDue(Message original, Instant notBefore, Observation received) {
		long remaining = TaskMessageProperties.remainingMillis(this.clock.instant(), notBefore);
		Object slack = original.getMessageProperties().getHeader(TaskHeaders.DELAY_SLACK);
		long step = this.ladder.next(remaining,
				(slack instanceof Number number) ? number.longValue() : DelayLadder.slackFor(remaining));
		if (step == 0) {
			return false;
		}
		sendThroughDelayQueue(original, step, (received != null) ? received : Observation.NOOP);
		return true;
	}

	private void sendThroughDelayQueue(Message original, long step, Observation parent) {
		String id = original.getMessageProperties().getMessageId();
		AmqpException failure = declareDelayQueue(step);
		if (failure != null) {
			throw new TaskEnqueueException(
					"Could not declare the delay queue for task '" + id + "': " + failure.getMessage(), failure);
		}
		Message copy = new Message(original.getBody(), TaskMessageProperties.copyOf(original.getMessageProperties()));
		sendAndAwait(new Outgoing(0, id, "", this.topology.delayQueue(step).name(), copy, parent, step));
	}

	private void sendAndAwait(Outgoing message) {
		Confirmation confirmation;
		try {
			confirmation = send(this.template, message);
		}
		catch (AmqpException ex) {
			throw new TaskEnqueueException("Could not publish task '" + message.id() + "': " + ex.getMessage(), ex);
		}
		confirmation.await();
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
	 * @param message the task message: one with a due time ahead goes through the delay
	 * queues
	 * @param observation the observation whose child the send becomes
	 */
	public record Publication(TaskMessage message, Observation observation) {
	}

	/** A message ready to send, and where to. */
	private record Outgoing(int index, String id, String exchange, String routingKey, Message message,
			Observation observation, long step) {
	}

	/**
	 * Whether the broker took one published message.
	 */
	public final class Confirmation {

		private final String id;

		private final Outgoing sent;

		private final CorrelationData correlation;

		private final TaskEnqueueException failure;

		private Confirmation(String id, Outgoing sent, CorrelationData correlation, TaskEnqueueException failure) {
			this.id = id;
			this.sent = sent;
			this.correlation = correlation;
			this.failure = failure;
		}

		/**
		 * Waits, at most the publisher's confirm timeout, for the broker to confirm that
		 * a queue has the message.
		 * @throws TaskEnqueueException if the message was not sent, or the broker refused
		 * it, had no queue for it, or did not confirm in time
		 */
		public void await() {
			awaitUntil(confirmDeadline());
		}

		/**
		 * Waits, until the given deadline, for the broker to confirm that a queue has the
		 * message: messages published together share one deadline. An interrupt does not
		 * end the wait (the message may well be queued); it is restored afterwards. If
		 * the channel closed before the broker confirmed (an error caused by another
		 * message on it, or a lost connection), the message is published once more,
		 * alone, on a fresh channel: a second message of a task is harmless, a missing
		 * one is not.
		 * @param deadlineNanos the deadline on the {@link System#nanoTime()} scale
		 * @throws TaskEnqueueException if the message was not sent, or the broker refused
		 * it, had no queue for it, or did not confirm in time
		 * @see #confirmDeadline()
		 */
		public void awaitUntil(long deadlineNanos) {
			if (this.failure != null) {
				throw this.failure;
			}
			CorrelationData correlation = this.correlation;
			CorrelationData.Confirm confirm = confirmOf(correlation, deadlineNanos);
			if (!confirm.ack() && confirm.reason() != null) {
				try {
					correlation = send(TaskPublisher.this.template, this.sent).correlation;
				}
				catch (AmqpException ex) {
					throw new TaskEnqueueException("Could not publish task '" + this.id + "' again after its channel "
							+ "closed (" + confirm.reason() + "): " + ex.getMessage(), ex);
				}
				confirm = confirmOf(correlation, deadlineNanos);
			}
			if (!confirm.ack()) {
				throw new TaskEnqueueException("The broker refused task '" + this.id + "': " + confirm.reason(), null);
			}
			if (correlation.getReturned() != null) {
				throw new TaskEnqueueException(
						"No queue took task '" + this.id + "' (" + correlation.getReturned().getReplyText()
								+ "): is the topology declared (spring.rabbitmq.dynamic)?",
						null);
			}
		}

		private CorrelationData.Confirm confirmOf(CorrelationData correlation, long deadlineNanos) {
			try {
				return UninterruptibleWait.until(correlation.getFuture(), deadlineNanos);
			}
			catch (ExecutionException | TimeoutException ex) {
				throw new TaskEnqueueException("The broker did not confirm task '" + this.id + "' within "
						+ TaskPublisher.this.confirmTimeout.toMillis() + " ms", ex);
			}
		}

	}

}
