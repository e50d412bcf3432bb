package dev.amqptasks.core;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
 * {@link TaskQueueDepths} polled from RabbitMQ with a passive declaration of each queue, on a
 * thread of its own, once per poll interval while the application runs. A queue that cannot be
 * polled (the broker is unreachable, or the queue does not exist yet) counts {@code -1} until a
 * poll succeeds. Per-message delay queues ({@code <queue>-delay-<millis>}) are not counted.
 */
public final class RabbitTaskQueueDepths implements TaskQueueDepths, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RabbitTaskQueueDepths.class);

	private static final Depths UNKNOWN = new Depths(-1, -1, -1);

	private final AmqpAdmin admin;

	private final TaskTopology topology;

	private final Duration pollInterval;

	private final Object lifecycleMonitor = new Object();

	private volatile Depths current = UNKNOWN;

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
	 * Polls the three queues once and keeps the counts.
	 */
	void poll() {
		try {
			this.current = new Depths(count(this.topology.queue()), count(this.topology.delayQueue()),
					count(this.topology.errorQueue()));
		}
		catch (AmqpConnectException ex) {
			// One failed connection is enough: do not wait for two more in the same poll.
			logger.debug("Could not poll the task queues: " + ex.getMessage());
			this.current = UNKNOWN;
		}
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
