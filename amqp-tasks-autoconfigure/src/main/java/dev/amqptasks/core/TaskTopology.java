package dev.amqptasks.core;

import java.time.Duration;
import java.util.Map;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;

/**
 * The names and arguments of the RabbitMQ exchange and queues. Everyone who starts declares
 * them; redeclaring with the same arguments is harmless.
 * <pre>
 * exchange --queue--------> queue ------(dead letter)-------> exchange --queue-error--> queue-error (TTL)
 * exchange --queue-delay--> queue-delay (TTL = retry delay) --(dead letter)--> exchange --queue--> queue
 * default  --queue-delay-N-> queue-delay-N (TTL = N ms, expires when unused) --(dead letter)--> queue
 * </pre>
 */
public final class TaskTopology {

	/** Per-message delays ride a queue whose TTL is the delay; the longest TTL RabbitMQ accepts. */
	public static final Duration MAX_DELAY = Duration.ofMillis(0xFFFF_FFFFL);

	private final String exchange;

	private final String queue;

	private final Duration retryDelay;

	private final Duration errorQueueTtl;

	public TaskTopology(String exchange, String queue, Duration retryDelay, Duration errorQueueTtl) {
		this.exchange = exchange;
		this.queue = queue;
		this.retryDelay = retryDelay;
		this.errorQueueTtl = errorQueueTtl;
	}

	public String exchange() {
		return this.exchange;
	}

	public String queue() {
		return this.queue;
	}

	public String delayQueue() {
		return this.queue + "-delay";
	}

	public String errorQueue() {
		return this.queue + "-error";
	}

	/**
	 * The exchange, the main, delay and error queues and their bindings.
	 * @return what to declare
	 */
	public Declarables declarables() {
		DirectExchange exchange = new DirectExchange(this.exchange, true, false);
		Queue main = QueueBuilder.durable(this.queue)
			.deadLetterExchange(this.exchange)
			.deadLetterRoutingKey(errorQueue())
			.build();
		Queue delay = QueueBuilder.durable(delayQueue())
			.ttl(Math.toIntExact(this.retryDelay.toMillis()))
			.deadLetterExchange(this.exchange)
			.deadLetterRoutingKey(this.queue)
			.build();
		Queue error = QueueBuilder.durable(errorQueue()).ttl(Math.toIntExact(this.errorQueueTtl.toMillis())).build();
		return new Declarables(exchange, main, delay, error, bind(main, exchange), bind(delay, exchange),
				bind(error, exchange));
	}

	private static Binding bind(Queue queue, DirectExchange exchange) {
		return BindingBuilder.bind(queue).to(exchange).with(queue.getName());
	}

	/**
	 * The queue that holds messages for the given delay and then dead-letters them to the main
	 * queue: the declared delay queue for the retry delay, otherwise one queue per delay that
	 * RabbitMQ deletes once it has been unused for twice the delay plus a minute.
	 * @param delay the delay, at most {@link #MAX_DELAY}
	 * @return the queue name and its declaration arguments
	 */
	public DelayQueue delayQueueFor(Duration delay) {
		if (delay.equals(this.retryDelay)) {
			return new DelayQueue(delayQueue(), null);
		}
		long millis = delay.toMillis();
		Map<String, Object> arguments = Map.of("x-message-ttl", millis, "x-expires",
				2 * millis + Duration.ofMinutes(1).toMillis(), "x-dead-letter-exchange", this.exchange,
				"x-dead-letter-routing-key", this.queue);
		return new DelayQueue(this.queue + "-delay-" + millis, arguments);
	}

	/**
	 * A delay queue.
	 *
	 * @param name the queue name
	 * @param arguments the arguments to declare it with, {@code null} if it is always declared
	 */
	public record DelayQueue(String name, Map<String, Object> arguments) {
	}

}
