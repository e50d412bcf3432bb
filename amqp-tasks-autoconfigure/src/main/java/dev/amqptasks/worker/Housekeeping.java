package dev.amqptasks.worker;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.TaskRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The registry side of the running tasks: cancellation reaches them through the
 * registry's notices, with a periodic check as a fallback for a missed notice; their
 * leases are renewed, and an attempt whose lease the registry no longer gives it is
 * marked lost; an attempt that ignores its interruption at shutdown is handed back.
 * Registry I/O may block while Redis is away, so it runs on a thread of its own, never on
 * the control loop.
 */
final class Housekeeping {

	private static final Log logger = LogFactory.getLog(Housekeeping.class);

	private final TaskRegistry registry;

	private final RunningTasks running;

	private final TaskWorker.Settings settings;

	private ScheduledExecutorService executor;

	private AutoCloseable cancelNotices;

	Housekeeping(TaskRegistry registry, RunningTasks running, TaskWorker.Settings settings) {
		this.registry = registry;
		this.running = running;
		this.settings = settings;
	}

	/** Listens for cancellations; the periodic checks start with {@link #schedule()}. */
	void start() {
		this.cancelNotices = this.registry.onCancelRequested(this.running::cancel);
		this.executor = Executors
			.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("amqp-tasks-housekeeping-"));
	}

	/** Schedules the cancellation checks and the lease renewals. */
	void schedule() {
		long interval = this.settings.cancelCheckInterval().toMillis();
		this.executor.scheduleWithFixedDelay(this::checkCancellations, interval, interval, TimeUnit.MILLISECONDS);
		long renewal = this.settings.leaseTtl().toMillis() / 3;
		this.executor.scheduleWithFixedDelay(this::renewLeases, renewal, renewal, TimeUnit.MILLISECONDS);
	}

	/**
	 * Where other registry I/O of the worker runs (its reports to the worker directory).
	 * @return the executor
	 */
	Executor executor() {
		return (command) -> this.executor.execute(command);
	}

	/** Stops the checks and renewals. */
	void stop() {
		this.executor.shutdownNow();
	}

	/** Stops listening for cancellations. */
	void close() {
		try {
			this.cancelNotices.close();
		}
		catch (Exception ex) {
			logger.debug("Could not stop the cancellation notices", ex);
		}
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
	 * Gives back a task whose attempt ignores its interruption, so that its message (back
	 * in the queue once this worker's channel closes) runs at once on the next worker
	 * rather than wait for the lease: canceled if its cancellation was requested, else
	 * scheduled. Whatever the attempt stores later is refused.
	 */
	void handBack(RunningTask task) {
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

}
