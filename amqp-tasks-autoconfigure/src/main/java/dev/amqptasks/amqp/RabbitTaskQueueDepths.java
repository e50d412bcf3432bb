package dev.amqptasks.amqp;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.amqptasks.spi.TaskQueueDepths;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * {@link TaskQueueDepths} polled from RabbitMQ with a passive declaration of each queue,
 * on a thread of its own, once per poll interval while the application runs. A queue that
 * cannot be polled (the broker is unreachable, or the queue does not exist yet) counts
 * {@code -1} until a poll succeeds. The delay count is the sum over the delay queues of
 * the ladder that exist: each poll counts those found so far and looks for a few more, in
 * turn, so that a poll costs a few broker calls rather than one per step, and a delay
 * queue that another process declared is found within {@code steps / 8} polls.
 */
public final class RabbitTaskQueueDepths implements TaskQueueDepths, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RabbitTaskQueueDepths.class);

	private static final Depths UNKNOWN = new Depths(-1, -1, -1);

	/** Delay queues not yet found that each poll looks for. */
	private static final int DELAY_QUEUES_SOUGHT_PER_POLL = 8;

	private final AmqpAdmin admin;

	private final TaskTopology topology;

	private final Duration pollInterval;

	private final Object lifecycleMonitor = new Object();

	private volatile Depths current = UNKNOWN;

	/**
	 * The delay queues found to exist, counted each poll; only the polling thread uses
	 * it.
	 */
	private final Set<String> delayQueuesFound = new LinkedHashSet<>();

	/** Where the next poll goes on looking for delay queues among those not found. */
	private int nextDelayQueueSought;

	private ScheduledExecutorService poller;

	/**
	 * Creates queue depths that are polled once started.
	 * @param connectionFactory the connection to the broker
	 * @param topology the queue names
	 * @param pollInterval how long to wait between two polls
	 */
	public RabbitTaskQueueDepths(ConnectionFactory connectionFactory, TaskTopology topology, Duration pollInterval) {
		this.admin = new RabbitAdmin(connectionFactory);
		this.topology = topology;
		this.pollInterval = pollInterval;
	}

	@Override
	public Depths current() {
		return this.current;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.poller != null) {
				return;
			}
			CustomizableThreadFactory threads = new CustomizableThreadFactory("amqp-tasks-queue-depths-");
			threads.setDaemon(true);
			this.poller = Executors.newSingleThreadScheduledExecutor(threads);
			this.poller.scheduleWithFixedDelay(this::poll, this.pollInterval.toMillis(), this.pollInterval.toMillis(),
					TimeUnit.MILLISECONDS);
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (this.poller == null) {
				return;
			}
			this.poller.shutdownNow();
			try {
				// Let a poll in flight end before the connection factory closes under it.
				this.poller.awaitTermination(1, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.poller = null;
			this.current = UNKNOWN;
		}
	}

	@Override
	public boolean isRunning() {
		synchronized (this.lifecycleMonitor) {
			return this.poller != null;
		}
	}

	/**
	 * Polls the queues once and keeps the counts.
	 */
	void poll() {
		try {
			this.current = new Depths(count(this.topology.queue()), countDelayQueues(),
					count(this.topology.errorQueue()));
		}
		catch (AmqpConnectException ex) {
			// One failed connection is enough: do not wait for two more in the same poll.
			logger.debug("Could not poll the task queues: " + ex.getMessage());
			this.current = UNKNOWN;
		}
	}

	private long countDelayQueues() {
		// Look for a few of the queues not found yet, then count all that are found.
		List<String> all = this.topology.delayQueues();
		int sought = 0;
		for (int looked = 0; looked < all.size() && sought < DELAY_QUEUES_SOUGHT_PER_POLL; looked++) {
			if (this.delayQueuesFound.add(all.get(this.nextDelayQueueSought))) {
				sought++;
			}
			this.nextDelayQueueSought = (this.nextDelayQueueSought + 1) % all.size();
		}
		long total = 0;
		for (Iterator<String> queues = this.delayQueuesFound.iterator(); queues.hasNext();) {
			long count = count(queues.next());
			if (count < 0) {
				// Not there (never was, or expired once unused): nothing waits in it.
				queues.remove();
			}
			else {
				total += count;
			}
		}
		return total;
	}

	private long count(String queue) {
		try {
			QueueInformation information = this.admin.getQueueInfo(queue);
			return (information != null) ? information.getMessageCount() : -1;
		}
		catch (AmqpConnectException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			logger.debug("Could not poll queue '" + queue + "': " + ex.getMessage());
			return -1;
		}
	}

}
