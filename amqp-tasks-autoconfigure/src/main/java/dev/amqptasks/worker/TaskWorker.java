package dev.amqptasks.worker;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

import dev.amqptasks.WorkerEvent;
import dev.amqptasks.WorkerStartedEvent;
import dev.amqptasks.WorkerStoppedEvent;
import dev.amqptasks.WorkerStoppingEvent;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.spi.TaskExecutionInterceptor;
import dev.amqptasks.spi.TaskLifecycleListener;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.spi.WorkerStatus;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskInvoker;
import dev.amqptasks.task.TaskPolicy;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import org.springframework.boot.system.JavaVersion;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Consumes the main queue and runs tasks, at most {@code maxRunningTasks} at once. The
 * worker's lifecycle, over the parts that each have a job of their own: the
 * {@link TaskConsumer} (the listener container and the slots), the {@link TaskRunner}
 * (one message to its outcome), {@link Liveness} (the beacon and the worker directory),
 * {@link Housekeeping} (cancellations, lease renewals, handing back) and the
 * {@link Watchdog}.
 * <p>
 * Tasks run on virtual threads on Java 21 and later, on a bounded pool of platform
 * threads before.
 */
public final class TaskWorker implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(TaskWorker.class);

	/** How long interrupted tasks may take to record that they are requeued. */
	private static final Duration INTERRUPTED_TASKS_WAIT = Duration.ofSeconds(5);

	/**
	 * The same when the worker exits because it is stuck: a task ignoring its
	 * interruption is why, so it is handed back sooner.
	 */
	private static final Duration ABANDONED_TASKS_WAIT = Duration.ofSeconds(1);

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private Consumer<DirectMessageListenerContainer> containerCustomizer = (container) -> {
	};

	private boolean virtualThreads = JavaVersion.getJavaVersion().isEqualOrNewerThan(JavaVersion.TWENTY_ONE);

	private TaskLifecycleListener lifecycleListener = TaskLifecycleListener.NONE;

	private List<TaskExecutionInterceptor> executionInterceptors = List.of();

	private final ConnectionFactory connectionFactory;

	private final TaskTopology topology;

	private final TaskRegistry registry;

	private final WorkerIdentity identity;

	private final Settings settings;

	private final RunningTasks running = new RunningTasks();

	private final TaskRunner.Collaborators collaborators;

	private final WorkerDirectory directory;

	private ApplicationEventPublisher eventPublisher = (event) -> {
	};

	private final Object lifecycleMonitor = new Object();

	private volatile boolean started;

	private volatile boolean stopping;

	private volatile boolean abandoning;

	private TaskConsumer consumer;

	private CoalescedRegistryWrites writes;

	private ScheduledExecutorService control;

	private Housekeeping housekeeping;

	private volatile Liveness liveness;

	private Watchdog watchdog;

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
			if (this.collaborators.catalog().definitions().isEmpty()) {
				logger.warn("Worker " + this.identity.id()
						+ " knows no tasks: is the jar of its tasks on its class path "
						+ "(-Dloader.path)? Messages of tasks it does not know are put back for a worker that knows them, "
						+ "for up to " + this.settings.unknownTaskTimeout() + " each");
			}
			TopologyDeclarer declarer = new TopologyDeclarer(this.connectionFactory, this.topology);
			declarer.declare();
			int max = this.settings.maxRunningTasks();
			this.stopping = false;
			this.consumer = new TaskConsumer(this.connectionFactory, max, this.virtualThreads,
					this.observationRegistry);
			// Three threads that must not wait on each other: the control loop
			// (deadlines, the
			// watchdog's tick) never does I/O; registry I/O (housekeeping) may block
			// while Redis is
			// away; a beacon publish (liveness) may block on a frozen connection.
			this.housekeeping = new Housekeeping(this.registry, this.running, this.settings);
			this.housekeeping.start();
			this.control = Executors
				.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("amqp-tasks-control-"));
			this.liveness = new Liveness(this.connectionFactory, declarer, this.topology.queue(), this.directory,
					this.identity, this.settings, this.running::count, this.housekeeping.executor(), () -> this.started,
					() -> this.stopping, (reason) -> exit(WorkerExit.BEACON_LOST, reason));
			this.liveness.start(this.control);
			this.writes = new CoalescedRegistryWrites(this.registry, this.identity.id(), this.settings.leaseTtl());
			TaskRunner runner = new TaskRunner(this.collaborators, this.writes, this.running, this.control,
					this.identity.id(), this.settings, () -> this.stopping,
					new TaskRunner.Observability(this.observationRegistry, this.lifecycleListener),
					new TaskExecutionChain(this.executionInterceptors));
			this.housekeeping.schedule();
			if (this.settings.autoKillTimeout() != null) {
				this.watchdog = new Watchdog(this.settings.autoKillTimeout(), this.running::all,
						(reason) -> exit(WorkerExit.STUCK, reason));
				this.watchdog.start(this.control);
			}
			this.consumer.start(List.of(this.topology.queue(), this.liveness.queue()),
					(ChannelAwareMessageListener) this::onMessage, runner, this.containerCustomizer);
			this.started = true;
			// Listed at once, not only when the first beacon comes back a period later.
			this.liveness.requestReport();
			logger.info("Worker " + this.identity.id() + " consuming '" + this.topology.queue() + "' with up to " + max
					+ " tasks at once on " + (this.virtualThreads ? "virtual threads" : "platform threads"));
			publish(new WorkerStartedEvent(this, this.identity.id(), this.identity.host(), this.identity.pid()));
		}
	}

	private void onMessage(Message message, com.rabbitmq.client.Channel channel) throws IOException {
		if (this.liveness.receive(message, channel)) {
			return;
		}
		if (this.stopping) {
			// Neither run nor acknowledge: the broker requeues it when the channel
			// closes.
			return;
		}
		this.consumer.dispatch(message, channel);
	}

	/**
	 * Ends the process of a worker that cannot do its job. Its tasks get no grace period:
	 * a stuck or deaf worker would only hold them longer.
	 */
	private void exit(int status, String reason) {
		this.abandoning = true;
		WorkerExit.exit(status, reason);
	}

	/**
	 * What this worker reports about itself.
	 * @return its status
	 */
	public WorkerStatus status() {
		Liveness current = this.liveness;
		if (current == null) {
			return new WorkerStatus(this.identity.id(), this.identity.host(), this.identity.pid(),
					this.identity.startedAt(), null, this.running.count(), this.settings.maxRunningTasks(), "DOWN");
		}
		return current.status();
	}

	/**
	 * How long since the beacon last came back (since the worker started, before the
	 * first).
	 * @return the age, or {@code null} when the worker is not running
	 */
	public Duration beaconAge() {
		Liveness current = this.liveness;
		return (this.started && current != null) ? current.beaconAge() : null;
	}

	/**
	 * Stops taking messages, lets running tasks finish within the grace period, then
	 * interrupts what is left; unacknowledged messages go back to the queue when the
	 * channel closes.
	 */
	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (!this.started) {
				return;
			}
			this.stopping = true;
			publish(new WorkerStoppingEvent(this, this.identity.id(), this.identity.host(), this.identity.pid()));
			if (this.watchdog != null) {
				this.watchdog.stop();
			}
			this.liveness.stopSending();
			boolean interrupted = false;
			try {
				Duration grace = this.abandoning ? Duration.ZERO : this.settings.shutdownGracePeriod();
				if (!this.consumer.awaitIdle(grace)) {
					interrupted = true;
					logger.warn("Interrupting " + this.running.count()
							+ " task(s) still running after the shutdown grace period; they will run again");
					this.running.all().forEach(RunningTask::interrupt);
					// Let them store that they go back to the queue before the worker
					// reports stopped.
					Duration wait = this.abandoning ? ABANDONED_TASKS_WAIT : INTERRUPTED_TASKS_WAIT;
					if (!this.consumer.awaitIdle(wait)) {
						this.running.all().forEach(this.housekeeping::handBack);
					}
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.consumer.stopContainer();
			// After the tasks: what they stored last goes out before the worker reports
			// stopped.
			this.writes.close();
			this.control.shutdownNow();
			this.housekeeping.stop();
			this.liveness.close();
			this.housekeeping.close();
			this.consumer.shutdownExecutor();
			this.started = false;
			logger.info("Worker " + this.identity.id() + " stopped" + (interrupted ? " (tasks were requeued)" : ""));
			publish(new WorkerStoppedEvent(this, this.identity.id(), this.identity.host(), this.identity.pid()));
		}
	}

	/**
	 * Publishes a lifecycle event; a listener that fails does not stop the worker's start
	 * or stop.
	 */
	private void publish(WorkerEvent event) {
		try {
			this.eventPublisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			logger.warn("A listener of " + event.getClass().getSimpleName() + " failed: " + ex, ex);
		}
	}

	/**
	 * Publishes {@link WorkerStartedEvent}, {@link WorkerStoppingEvent} and
	 * {@link WorkerStoppedEvent} as the worker starts and stops.
	 * @param eventPublisher the publisher, none by default
	 */
	public void setEventPublisher(ApplicationEventPublisher eventPublisher) {
		this.eventPublisher = eventPublisher;
	}

	@Override
	public boolean isRunning() {
		return this.started;
	}

	@Override
	public int getPhase() {
		// Stop before the web server's graceful shutdown (DEFAULT_PHASE - 1024), so that
		// health
		// and metrics answer while running tasks finish, and before the connection
		// factories.
		return DEFAULT_PHASE - 512;
	}

	/**
	 * Observes each received message and each attempt with the given registry. Takes
	 * effect at the next start.
	 * @param observationRegistry the registry, {@link ObservationRegistry#NOOP} by
	 * default
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
	}

	/**
	 * Tells the given listener about each retry queued. Takes effect at the next start.
	 * @param lifecycleListener the listener, {@link TaskLifecycleListener#NONE} by
	 * default
	 */
	public void setLifecycleListener(TaskLifecycleListener lifecycleListener) {
		this.lifecycleListener = lifecycleListener;
	}

	/**
	 * Runs each attempt through the given interceptors, the first outermost. Takes effect
	 * at the next start.
	 * @param executionInterceptors the interceptors, in order; none by default
	 */
	public void setExecutionInterceptors(List<TaskExecutionInterceptor> executionInterceptors) {
		this.executionInterceptors = List.copyOf(executionInterceptors);
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
	 * Customizes the listener container each time the worker starts one. Takes effect at
	 * the next start.
	 * @param containerCustomizer applied after the worker's own settings, before the
	 * start
	 */
	public void setContainerCustomizer(Consumer<DirectMessageListenerContainer> containerCustomizer) {
		this.containerCustomizer = containerCustomizer;
	}

	/**
	 * Whether tasks run on virtual threads (Java 21 and later only). Takes effect at the
	 * next start.
	 * @param virtualThreads whether to use virtual threads; by default, where Java has
	 * them
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
	 * @param autoKillTimeout how long the worker may be stuck before the watchdog exits
	 * the process, or {@code null} for no watchdog
	 * @param unknownTaskTimeout how long a message of a task that no worker receiving it
	 * knows is put back before it is dead-lettered
	 */
	public record Settings(int maxRunningTasks, Duration cancelCheckInterval, Duration shutdownGracePeriod,
			Duration leaseTtl, long maxMessageSize, TaskPolicy defaultPolicy, Duration beaconTtl,
			boolean exitOnBeaconLoss, Duration autoKillTimeout, Duration unknownTaskTimeout) {
	}

}
