package dev.amqptasks.amqp;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;

/**
 * The names and arguments of the RabbitMQ exchange and queues. Everyone who starts
 * declares the exchange, the main and the error queue; redeclaring with the same
 * arguments is harmless. The delay queues, one per step of the {@link DelayLadder}, are
 * declared on first use, each with arguments that depend on its step alone, so every
 * process declares a step alike. <pre>
 * exchange --queue--------> queue ------(dead letter)-------> exchange --queue-error--> queue-error (TTL)
 * default  --queue-delay-N-> queue-delay-N (TTL = N ms, expires when unused) --(dead letter)--> exchange --queue--> queue
 * </pre>
 */
public final class TaskTopology {

	/**
	 * The longest TTL or expiry RabbitMQ accepts: an unsigned 32-bit count of
	 * milliseconds.
	 */
	private static final long MAX_BROKER_MILLIS = 0xFFFF_FFFFL;

	private final String exchange;

	private final String queue;

	private final Duration errorQueueTtl;

	private final DelayLadder ladder;

	/**
	 * Creates a topology.
	 * @param exchange the direct exchange
	 * @param queue the main queue, after which the others are named
	 * @param errorQueueTtl how long dead messages stay in the error queue
	 * @param ladder the steps of the delay queues
	 */
	public TaskTopology(String exchange, String queue, Duration errorQueueTtl, DelayLadder ladder) {
		this.exchange = exchange;
		this.queue = queue;
		this.errorQueueTtl = errorQueueTtl;
		this.ladder = ladder;
	}

	public String exchange() {
		return this.exchange;
	}

	public String queue() {
		return this.queue;
	}

	public String errorQueue() {
		return this.queue + "-error";
	}

	public DelayLadder ladder() {
		return this.ladder;
	}

	/**
	 * The names of the delay queues of every step of the ladder, shortest first: those
	 * that exist are among them.
	 * @return the queue names
	 */
	public List<String> delayQueues() {
		return this.ladder.steps().stream().map((step) -> delayQueueName(step.toMillis())).toList();
	}

	/**
	 * The exchange, the main and error queues and their bindings.
	 * @return what to declare
	 */
	public Declarables declarables() {
		DirectExchange exchange = new DirectExchange(this.exchange, true, false);
		Queue main = QueueBuilder.durable(this.queue)
			.deadLetterExchange(this.exchange)
			.deadLetterRoutingKey(errorQueue())
			.build();
		Queue error = QueueBuilder.durable(errorQueue()).ttl(Math.toIntExact(this.errorQueueTtl.toMillis())).build();
		return new Declarables(exchange, main, error, bind(main, exchange), bind(error, exchange));
	}

	private static Binding bind(Queue queue, DirectExchange exchange) {
		return BindingBuilder.bind(queue).to(exchange).with(queue.getName());
	}

	/**
	 * The queue of one step of the ladder: it holds messages for the step and then
	 * dead-letters them to the main queue. RabbitMQ deletes it once it has been unused
	 * for twice the step plus a minute (capped at the broker's limit, which still leaves
	 * the longest step six days): a publish redeclares it, so it never expires while it
	 * holds a message. The same arguments as the per-delay queues of earlier versions, so
	 * a queue left by one is reused as it is.
	 * @param stepMillis a step of the ladder
	 * @return the queue name and its declaration arguments
	 */
	DelayQueue delayQueue(long stepMillis) {
		Map<String, Object> arguments = Map.of("x-message-ttl", stepMillis, "x-expires",
				Math.min(MAX_BROKER_MILLIS, 2 * stepMillis + Duration.ofMinutes(1).toMillis()),
				"x-dead-letter-exchange", this.exchange, "x-dead-letter-routing-key", this.queue);
		return new DelayQueue(delayQueueName(stepMillis), arguments);
	}

	private String delayQueueName(long stepMillis) {
		return this.queue + "-delay-" + stepMillis;
	}

	/**
	 * A delay queue.
	 *
	 * @param name the queue name
	 * @param arguments the arguments to declare it with
	 */
	record DelayQueue(String name, Map<String, Object> arguments) {
	}

}
