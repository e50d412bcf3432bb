package dev.amqptasks.worker;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.spi.TaskLifecycleListener;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.spi.WorkerStatus;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskInvoker;
import dev.amqptasks.task.TaskPolicy;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import org.springframework.amqp.rabbit.support.micrometer.RabbitListenerObservation;
import org.springframework.amqp.rabbit.support.micrometer.RabbitMessageReceiverContext;
import org.springframework.boot.system.JavaVersion;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Consumes the main queue and runs tasks, at most {@code maxRunningTasks} at once. The broker
 * never hands this worker more messages than it has free slots (prefetch = slots, and a slot
 * is freed only after its message is acknowledged). Tasks run on virtual threads on Java 21 and
 * later, on a bounded pool of platform threads before.
 * <p>
 * Cancellation reaches a running task through the registry's notices, with a periodic check of
 * the registry as a fallback for a missed notice.
 */
public final class TaskWorker implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(TaskWorker.class);

	/** How long interrupted tasks may take to record that they are requeued. */
	private static final Duration INTERRUPTED_TASKS_WAIT = Duration.ofSeconds(5);

	/**
	 * The same when the worker exits because it is stuck: a task ignoring its interruption is
	 * why, so it is handed back sooner.
	 */
	private static final Duration ABANDONED_TASKS_WAIT = Duration.ofSeconds(1);

	/** The listener id in the observations of received task messages. */
	private static final String LISTENER_ID = "amqpTasksWorker";

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private Consumer<DirectMessageListenerContainer> containerCustomizer = (container) -> {
	};

	private boolean virtualThreads = JavaVersion.getJavaVersion().isEqualOrNewerThan(JavaVersion.TWENTY_ONE);

	private TaskLifecycleListener lifecycleListener = TaskLifecycleListener.NONE;

	private final ConnectionFactory connectionFactory;

	private final TaskTopology topology;

	private final TaskRegistry registry;

	private final WorkerIdentity identity;

	private final Settings settings;

	private final RunningTasks running = new RunningTasks();

	private TaskRunner runner;

	private CoalescedRegistryWrites writes;

	private final Object lifecycleMonitor = new Object();

	private volatile boolean started;

	private volatile boolean stopping;

	private volatile boolean abandoning;

	private Semaphore slots;

	private Executor executor;

	private DirectMessageListenerContainer container;

	private ScheduledExecutorService control;

	private ScheduledExecutorService housekeeping;

	private ScheduledExecutorService beaconSender;

	private AutoCloseable cancelNotices;

	private Beacon beacon;

	private Watchdog watchdog;

	private ConnectionListener redeclareBeacon;

	private final TaskRunner.Collaborators collaborators;

	private final WorkerDirectory directory;

	public TaskWorker(ConnectionFactory connectionFactory, TaskTopology topology, TaskCatalog catalog,
			TaskInvoker invoker, TaskRegistry registry, TaskPublisher publisher, JsonMapper json,
			WorkerDirectory directory, WorkerIdentity identity, Settings settings) {
		this.connectionFactory = connectionFactory;
		this.topology = topology;
		this.registry = registry;
		this.directory = directory;
		this.identity = identity;
		this.settings = settings;
		this.collaborators = new TaskRunner.Collaborators(catalog, invoker, registry, publisher, json,
				Clock.systemUTC());
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.started) {
				return;
			}
			this.beacon = new Beacon(this.connectionFactory, this.topology.queue(), this.identity.id(),
					this.settings.beaconTtl(), Clock.systemUTC());
			if (this.collaborators.catalog().definitions().isEmpty()) {
				logger.warn("Worker " + this.identity.id() + " knows no tasks: is the jar of its tasks on its class path "
						+ "(-Dloader.path)? Messages of tasks it does not know are put back for a worker that knows them, "
						+ "for up to " + this.settings.unknownTaskTimeout() + " each");
			}
			TopologyDeclarer declarer = new TopologyDeclarer(this.connectionFactory, this.topology);
			declarer.declare();
			int max = this.settings.maxRunningTasks();
			this.stopping = false;
			this.slots = new Semaphore(max);
			this.executor = taskExecutor(max);
			this.cancelNotices = this.registry.onCancelRequested(this.running::cancel);
			// Three threads that must not wait on each other: the control loop (deadlines, the
			// watchdog's tick) never does I/O; registry I/O may block while Redis is away; a
			// beacon publish may block on a frozen connection.
			this.control = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("amqp-tasks-control-"));
			this.housekeeping = Executors
				.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("amqp-tasks-housekeeping-"));
			this.beaconSender = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("amqp-tasks-beacon-"));
			// The beacon queues are exclusive: they vanish with a connection and come back with the next
			// (called at once, too, when a connection is already open).
			this.redeclareBeacon = (connection) -> {
				declarer.declare(this.beacon.queues());
				// The beacon in flight vanished with the old queues: count from this connection,
				// and send the next one now rather than a period later.
				this.beacon.connected();
				this.beaconSender.execute(this::sendBeacon);
			};
			this.connectionFactory.addConnectionListener(this.redeclareBeacon);
			this.writes = new CoalescedRegistryWrites(this.registry, this.identity.id(), this.settings.leaseTtl());
			this.runner = new TaskRunner(this.collaborators, this.writes, this.running, this.control, this.identity.id(),
					this.settings, () -> this.stopping,
					new TaskRunner.Observability(this.observationRegistry, this.lifecycleListener));
			long interval = this.settings.cancelCheckInterval().toMillis();
			this.housekeeping.scheduleWithFixedDelay(this::checkCancellations, interval, interval,
					TimeUnit.MILLISECONDS);
			long renewal = this.settings.leaseTtl().toMillis() / 3;
			this.housekeeping.scheduleWithFixedDelay(this::renewLeases, renewal, renewal, TimeUnit.MILLISECONDS);
			long beaconMillis = this.settings.beaconTtl().toMillis();
			this.beaconSender.scheduleAtFixedRate(this::sendBeacon, beaconMillis, beaconMillis, TimeUnit.MILLISECONDS);
			// Checked on the control loop, never behind a send that a frozen connection blocks.
			this.control.scheduleAtFixedRate(this::checkBeacon, beaconMillis, beaconMillis, TimeUnit.MILLISECONDS);
			if (this.settings.autoKillTimeout() != null) {
				this.watchdog = new Watchdog(this.settings.autoKillTimeout(), this.running::all,
						(reason) -> exit(WorkerExit.STUCK, reason));
				this.control.scheduleWithFixedDelay(this.watchdog::tick, 0, 100, TimeUnit.MILLISECONDS);
				this.watchdog.start();
			}
			this.container = new DirectMessageListenerContainer(this.connectionFactory);
			this.container.setBeanName(LISTENER_ID);
			this.container.setQueueNames(this.topology.queue(), this.beacon.queue());
			this.container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
			this.container.setPrefetchCount(max);
			this.container.setConsumersPerQueue(1);
			this.container.setMessageListener((ChannelAwareMessageListener) this::onMessage);
			this.containerCustomizer.accept(this.container);
			this.container.afterPropertiesSet();
			this.container.start();
			this.started = true;
			// Listed at once, not only when the first beacon comes back a period later.
			this.housekeeping.execute(this::report);
			logger.info("Worker " + this.identity.id() + " consuming '" + this.topology.queue() + "' with up to "
					+ max + " tasks at once on " + (isVirtual() ? "virtual threads" : "platform threads"));
		}
	}

	private void onMessage(Message message, com.rabbitmq.client.Channel channel) throws IOException {
		if (this.beacon.queue().equals(message.getMessageProperties().getConsumerQueue())) {
			this.beacon.received();
			channel.basicAck(message.getMessageProperties().getDeliveryTag(), false);
			this.housekeeping.execute(this::report);
			return;
		}
		if (this.stopping) {
			// Neither run nor acknowledge: the broker requeues it when the channel closes.
			return;
		}
		// Observed here rather than by the container, so that beacons start no traces. The
		// receipt continues the publisher's trace (from the message headers); the attempt, on
		// another thread, continues the receipt.
		Observation received = RabbitListenerObservation.LISTENER_OBSERVATION.observation(null,
				RabbitListenerObservation.DefaultRabbitListenerObservationConvention.INSTANCE,
				() -> new RabbitMessageReceiverContext(message, LISTENER_ID), this.observationRegistry);
		received.observe(() -> execute(message, channel, received));
	}

	private void execute(Message message, com.rabbitmq.client.Channel channel, Observation received) {
		this.slots.acquireUninterruptibly();
		try {
			this.executor.execute(() -> {
				try {
					this.runner.run(message, channel, received);
				}
				finally {
					this.slots.release();
				}
			});
		}
		catch (RuntimeException ex) {
			this.slots.release();
			throw ex;
		}
	}

	private void sendBeacon() {
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
	private void checkBeacon() {
		if (this.beacon.isOverdue() && !this.stopping) {
			String reason = "no beacon came back for " + this.beacon.age().toSeconds() + " s (beacon ttl "
					+ this.beacon.ttl() + "): this worker is not consuming";
			this.housekeeping.execute(this::report);
			if (this.settings.exitOnBeaconLoss()) {
				exit(WorkerExit.BEACON_LOST, reason);
			}
			else {
				logger.error(reason);
			}
		}
	}

	/**
	 * Ends the process of a worker that cannot do its job. Its tasks get no grace period: a
	 * stuck or deaf worker would only hold them longer.
	 */
	private void exit(int status, String reason) {
		this.abandoning = true;
		WorkerExit.exit(status, reason);
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
	public WorkerStatus status() {
		Beacon current = this.beacon;
		boolean up = this.started && current != null && !current.isOverdue();
		return new WorkerStatus(this.identity.id(), this.identity.host(), this.identity.pid(),
				this.identity.startedAt(), (current != null) ? current.lastBeacon() : null, this.running.count(),
				this.settings.maxRunningTasks(), up ? "UP" : "DOWN");
	}

	/**
	 * How long since the beacon last came back (since the worker started, before the first).
	 * @return the age, or {@code null} when the worker is not running
	 */
	public Duration beaconAge() {
		Beacon current = this.beacon;
		return (this.started && current != null) ? current.age() : null;
	}

	private void checkCancellations() {
		try {
			if (this.running.count() > 0) {
				this.registry.cancelRequested(this.running.ids()).forEach(this.running::cancel);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not check the registry for cancellations: " + ex.getMessage());
		}
	}

	private void renewLeases() {
		try {
			if (this.running.count() > 0) {
				for (String id : this.registry.renewLeases(this.running.tokens(), this.settings.leaseTtl())) {
					RunningTask task = this.running.find(id);
					if (task != null) {
						task.lose("the registry no longer gives it the task (another attempt took over, or it ended)");
					}
				}
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Could not renew the leases of running tasks: " + ex.getMessage());
		}
	}

	/**
	 * Stops taking messages, lets running tasks finish within the grace period, then interrupts
	 * what is left; unacknowledged messages go back to the queue when the channel closes.
	 */
	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.started) {
				return;
			}
			this.stopping = true;
			if (this.watchdog != null) {
				this.watchdog.stop();
			}
			this.beaconSender.shutdownNow();
			int max = this.settings.maxRunningTasks();
			boolean interrupted = false;
			try {
				long grace = this.abandoning ? 0 : this.settings.shutdownGracePeriod().toMillis();
				if (!this.slots.tryAcquire(max, grace, TimeUnit.MILLISECONDS)) {
					interrupted = true;
					logger.warn("Interrupting " + this.running.count()
							+ " task(s) still running after the shutdown grace period; they will run again");
					this.running.all().forEach(RunningTask::interrupt);
					// Let them store that they go back to the queue before the worker reports stopped.
					Duration wait = this.abandoning ? ABANDONED_TASKS_WAIT : INTERRUPTED_TASKS_WAIT;
					if (!this.slots.tryAcquire(max, wait.toMillis(), TimeUnit.MILLISECONDS)) {
						this.running.all().forEach(this::handBack);
					}
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.container.stop();
			this.container.destroy();
			// After the tasks: what they stored last goes out before the worker reports stopped.
			this.writes.close();
			this.control.shutdownNow();
			this.housekeeping.shutdownNow();
			this.connectionFactory.removeConnectionListener(this.redeclareBeacon);
			closeQuietly(this.cancelNotices);
			try {
				this.directory.remove(this.identity.id());
			}
			catch (RuntimeException ex) {
				logger.debug("Could not remove this worker from the worker directory", ex);
			}
			if (this.executor instanceof ExecutorService service) {
				service.shutdownNow();
			}
			this.started = false;
			logger.info("Worker " + this.identity.id() + " stopped" + (interrupted ? " (tasks were requeued)" : ""));
		}
	}

	/**
	 * Gives back a task whose attempt ignores its interruption, so that its message (back in the
	 * queue once this worker's channel closes) runs at once on the next worker rather than wait
	 * for the lease: canceled if its cancellation was requested, else scheduled. Whatever the
	 * attempt stores later is refused.
	 */
	private void handBack(RunningTask task) {
		try {
			TaskStatus status = this.registry.requeue(task.id(), task.token());
			logger.warn("Task " + task.id() + " (" + task.name() + ") ignores its interruption; handed it back as "
					+ status.value());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not hand task " + task.id() + " back; it runs again once its lease expires: "
					+ ex.getMessage());
		}
	}

	@Override
	public boolean isRunning() {
		return this.started;
	}

	@Override
	public int getPhase() {
		// Stop before the web server's graceful shutdown (DEFAULT_PHASE - 1024), so that health
		// and metrics answer while running tasks finish, and before the connection factories.
		return DEFAULT_PHASE - 512;
	}

	/**
	 * Observes each received message and each attempt with the given registry. Takes effect
	 * at the next start.
	 * @param observationRegistry the registry, {@link ObservationRegistry#NOOP} by default
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
	}

	/**
	 * Tells the given listener about each retry queued. Takes effect at the next start.
	 * @param lifecycleListener the listener, {@link TaskLifecycleListener#NONE} by default
	 */
	public void setLifecycleListener(TaskLifecycleListener lifecycleListener) {
		this.lifecycleListener = lifecycleListener;
	}

	/**
	 * The number of tasks running now.
	 * @return the count
	 */
	public int runningTasks() {
		return this.running.count();
	}

	/**
	 * This worker's identity.
	 * @return the identity
	 */
	public WorkerIdentity identity() {
		return this.identity;
	}

	/**
	 * The worker's settings.
	 * @return the settings
	 */
	public Settings settings() {
		return this.settings;
	}

	/**
	 * Customizes the listener container each time the worker starts one. Takes effect at the
	 * next start.
	 * @param containerCustomizer applied after the worker's own settings, before the start
	 */
	public void setContainerCustomizer(Consumer<DirectMessageListenerContainer> containerCustomizer) {
		this.containerCustomizer = containerCustomizer;
	}

	/**
	 * Whether tasks run on virtual threads (Java 21 and later only). Takes effect at the next
	 * start.
	 * @param virtualThreads whether to use virtual threads; by default, where Java has them
	 */
	public void setVirtualThreads(boolean virtualThreads) {
		this.virtualThreads = virtualThreads && JavaVersion.getJavaVersion().isEqualOrNewerThan(JavaVersion.TWENTY_ONE);
	}

	/**
	 * Whether tasks run on virtual threads.
	 * @return whether they do
	 */
	public boolean usesVirtualThreads() {
		return this.virtualThreads;
	}

	private boolean isVirtual() {
		return this.virtualThreads;
	}

	private Executor taskExecutor(int max) {
		if (isVirtual()) {
			return new VirtualThreadTaskExecutor("amqp-tasks-");
		}
		return Executors.newFixedThreadPool(max, new CustomizableThreadFactory("amqp-tasks-"));
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			logger.debug("Could not stop the cancellation notices", ex);
		}
	}

	/**
	 * How a worker runs.
	 *
	 * @param maxRunningTasks tasks running at once, also the prefetch
	 * @param cancelCheckInterval how often to check the registry for cancellations whose
	 * notice was missed
	 * @param shutdownGracePeriod how long running tasks may take to finish when stopping
	 * @param leaseTtl how long a running attempt is held without a renewal
	 * @param maxMessageSize the largest message body accepted, in bytes
	 * @param defaultPolicy retries and time limits of tasks that do not set their own
	 * @param beaconTtl the beacon period; the worker is down after three without a beacon
	 * @param exitOnBeaconLoss whether to exit the process when the beacon is lost
	 * @param autoKillTimeout how long the worker may be stuck before the watchdog exits the
	 * process, or {@code null} for no watchdog
	 * @param unknownTaskTimeout how long a message of a task that no worker receiving it knows
	 * is put back before it is dead-lettered
	 */
	public record Settings(int maxRunningTasks, Duration cancelCheckInterval, Duration shutdownGracePeriod,
			Duration leaseTtl, long maxMessageSize, TaskPolicy defaultPolicy, Duration beaconTtl,
			boolean exitOnBeaconLoss, Duration autoKillTimeout, Duration unknownTaskTimeout) {
	}

}
