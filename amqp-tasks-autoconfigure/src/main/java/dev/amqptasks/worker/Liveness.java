package dev.amqptasks.worker;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import com.rabbitmq.client.Channel;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.spi.WorkerStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Whether the worker is alive, and telling others: sends the beacon through the broker
 * and checks that it comes back (a worker whose beacon stops coming back is not
 * consuming), and reports the worker's status to the worker directory.
 */
final class Liveness {

	private static final Log logger = LogFactory.getLog(Liveness.class);

	private final ConnectionFactory connectionFactory;

	private final TopologyDeclarer declarer;

	private final WorkerDirectory directory;

	private final WorkerIdentity identity;

	private final TaskWorker.Settings settings;

	private final IntSupplier runningTasks;

	private final Beacon beacon;

	private final Executor registryIo;

	private final BooleanSupplier started;

	private final BooleanSupplier stopping;

	private final Consumer<String> onBeaconLost;

	private ScheduledExecutorService sender;

	private ConnectionListener redeclareBeacon;

	/**
	 * Creates the liveness of one start of a worker.
	 * @param registryIo where reports to the directory run (they may block while Redis is
	 * away)
	 * @param onBeaconLost exits the process when the beacon is lost and the settings say
	 * so
	 */
	Liveness(ConnectionFactory connectionFactory, TopologyDeclarer declarer, String taskQueue,
			WorkerDirectory directory, WorkerIdentity identity, TaskWorker.Settings settings, IntSupplier runningTasks,
			Executor registryIo, BooleanSupplier started, BooleanSupplier stopping, Consumer<String> onBeaconLost) {
		this.connectionFactory = connectionFactory;
		this.declarer = declarer;
		this.directory = directory;
		this.identity = identity;
		this.settings = settings;
		this.runningTasks = runningTasks;
		this.registryIo = registryIo;
		this.started = started;
		this.stopping = stopping;
		this.onBeaconLost = onBeaconLost;
		this.beacon = new Beacon(connectionFactory, taskQueue, identity.id(), settings.beaconTtl(), Clock.systemUTC());
	}

	/**
	 * The queue the beacon comes back on, which the worker's container consumes too.
	 * @return the queue name
	 */
	String queue() {
		return this.beacon.queue();
	}

	/**
	 * Starts sending beacons, and checking them on the control loop.
	 * @param control the control loop: checked there, never behind a send that a frozen
	 * connection blocks
	 */
	void start(ScheduledExecutorService control) {
		// A beacon publish may block on a frozen connection: a thread of its own.
		this.sender = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("amqp-tasks-beacon-"));
		// The beacon queues are exclusive: they vanish with a connection and come back
		// with the next
		// (called at once, too, when a connection is already open).
		this.redeclareBeacon = (connection) -> {
			this.declarer.declare(this.beacon.queues());
			// The beacon in flight vanished with the old queues: count from this
			// connection,
			// and send the next one now rather than a period later.
			this.beacon.connected();
			this.sender.execute(this::send);
		};
		this.connectionFactory.addConnectionListener(this.redeclareBeacon);
		long beaconMillis = this.settings.beaconTtl().toMillis();
		this.sender.scheduleAtFixedRate(this::send, beaconMillis, beaconMillis, TimeUnit.MILLISECONDS);
		control.scheduleAtFixedRate(this::check, beaconMillis, beaconMillis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Whether a delivered message is a beacon; if so, takes it.
	 * @return whether it was a beacon
	 */
	boolean receive(Message message, Channel channel) throws IOException {
		if (!this.beacon.queue().equals(message.getMessageProperties().getConsumerQueue())) {
			return false;
		}
		this.beacon.received();
		channel.basicAck(message.getMessageProperties().getDeliveryTag(), false);
		requestReport();
		return true;
	}

	/** Reports this worker to the directory soon, on the registry's thread. */
	void requestReport() {
		this.registryIo.execute(this::report);
	}

	/** Stops sending beacons. */
	void stopSending() {
		if (this.sender != null) {
			this.sender.shutdownNow();
		}
	}

	/** Stops following connections, and removes this worker from the directory. */
	void close() {
		if (this.redeclareBeacon != null) {
			this.connectionFactory.removeConnectionListener(this.redeclareBeacon);
		}
		try {
			this.directory.remove(this.identity.id());
		}
		catch (RuntimeException ex) {
			logger.debug("Could not remove this worker from the worker directory", ex);
		}
	}

	private void send() {
		try {
			this.beacon.send();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not send the beacon: " + ex.getMessage());
		}
	}

	/**
	 * Checks that the beacons come back.
	 */
	private void check() {
		if (this.beacon.isOverdue() && !this.stopping.getAsBoolean()) {
			String reason = "no beacon came back for " + this.beacon.age().toSeconds() + " s (beacon ttl "
					+ this.beacon.ttl() + "): this worker is not consuming";
			requestReport();
			if (this.settings.exitOnBeaconLoss()) {
				this.onBeaconLost.accept(reason);
			}
			else {
				logger.error(reason);
			}
		}
	}

	private void report() {
		try {
			this.directory.report(status(), this.settings.beaconTtl().multipliedBy(3));
		}
		catch (RuntimeException ex) {
			logger.warn("Could not report this worker to the worker directory: " + ex.getMessage());
		}
	}

	/**
	 * What this worker reports about itself.
	 * @return its status
	 */
	WorkerStatus status() {
		boolean up = this.started.getAsBoolean() && !this.beacon.isOverdue();
		return new WorkerStatus(this.identity.id(), this.identity.host(), this.identity.pid(),
				this.identity.startedAt(), this.beacon.lastBeacon(), this.runningTasks.getAsInt(),
				this.settings.maxRunningTasks(), up ? "UP" : "DOWN");
	}

	/**
	 * How long since the beacon last came back (since the worker started, before the
	 * first).
	 * @return the age
	 */
	Duration beaconAge() {
		return this.beacon.age();
	}

}
