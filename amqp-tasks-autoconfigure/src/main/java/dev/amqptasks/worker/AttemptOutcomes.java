package dev.amqptasks.worker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import dev.amqptasks.TaskError;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.spi.DeferTaskException;
import dev.amqptasks.spi.TaskLifecycleListener;
import dev.amqptasks.spi.TaskRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * How an attempt that did not finish ends: stored in the registry, then its message
 * settled (a retry queued, dead-lettered, deferred, acknowledged), never settled before
 * its outcome is stored.
 */
final class AttemptOutcomes {

	// Logged as the runner: its log level (and the tests' log settings) cover these
	// lines.
	private static final Log logger = LogFactory.getLog(TaskRunner.class);

	private final TaskRegistry registry;

	private final TaskPublisher publisher;

	private final RegistryStore store;

	private final TaskLifecycleListener lifecycleListener;

	AttemptOutcomes(TaskRegistry registry, TaskPublisher publisher, RegistryStore store,
			TaskLifecycleListener lifecycleListener) {
		this.registry = registry;
		this.publisher = publisher;
		this.store = store;
		this.lifecycleListener = lifecycleListener;
	}

	AttemptOutcome retry(Attempt attempt, Duration delay, Throwable error, Delivery delivery) {
		TaskMessage task = attempt.task();
		logger.warn("Task " + task.id() + " failed on attempt " + attempt.number() + ", retrying in " + delay + ": "
				+ error);
		return this.store.storeAndSettle(
				() -> this.registry.retry(task.id(), attempt.token(), TaskError.of(error), delay), delivery,
				AttemptOutcome.RETRYING, () -> {
					try {
						this.publisher.publish(task.withAttempts(attempt.number()), delay);
						delivery.ack();
						this.lifecycleListener.retryQueued(task.task());
					}
					catch (RuntimeException ex) {
						// The retry message is not out: the broker gets the original back
						// and it runs again.
						logger.warn("Could not queue the retry of task " + task.id() + "; returning it to the queue: "
								+ ex.getMessage());
						delivery.requeue();
					}
				});
	}

	/**
	 * Gives the task back as {@code scheduled} (the attempt counts), and sends its
	 * message through the delay queues to be looked at again after the delay;
	 * acknowledges it if the task's cancellation was requested meanwhile (the registry
	 * then made it {@code canceled}).
	 */
	AttemptOutcome defer(Attempt attempt, DeferTaskException deferral, Delivery delivery) {
		String id = attempt.task().id();
		logger.info("Task " + id + " is deferred for " + deferral.getDelay() + ": " + deferral.getMessage());
		AtomicReference<TaskStatus> status = new AtomicReference<>();
		return this.store.storeAndSettle(() -> status.set(this.registry.requeue(id, attempt.token())), delivery,
				AttemptOutcome.DEFERRED, () -> {
					if (status.get() == TaskStatus.SCHEDULED) {
						delivery.defer(deferral.getDelay());
					}
					else {
						delivery.ack();
					}
				});
	}

	/**
	 * Ends the task {@code canceled}, with the reason in its event log.
	 */
	AttemptOutcome cancel(Attempt attempt, String reason, Delivery delivery) {
		String id = attempt.task().id();
		logger.info("Task " + id + " is canceled: " + reason);
		AttemptOutcome logged = this.store.storeAndSettle(
				() -> this.registry.log(id, attempt.token(), "Canceled: " + reason), delivery, AttemptOutcome.CANCELED,
				() -> {
				});
		if (logged == AttemptOutcome.LOST) {
			return logged;
		}
		return this.store.storeAndSettle(() -> this.registry.markCanceled(id, attempt.token()), delivery,
				AttemptOutcome.CANCELED, delivery::ack);
	}

	AttemptOutcome endErrored(Attempt attempt, TaskError error, Delivery delivery) {
		return this.store.storeAndSettle(() -> this.registry.fail(attempt.task().id(), attempt.token(), error),
				delivery, AttemptOutcome.ERRORED,
				() -> delivery.deadLetter("the task failed with no retry left", error));
	}

}
