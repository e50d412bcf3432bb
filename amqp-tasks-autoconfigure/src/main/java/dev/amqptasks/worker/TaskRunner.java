package dev.amqptasks.worker;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import com.rabbitmq.client.Channel;
import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.MalformedTaskMessageException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskGaveUpException;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskTimeoutException;
import dev.amqptasks.UnknownTaskException;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.spi.AttemptLostException;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskHeaders;
import dev.amqptasks.spi.TaskLifecycleListener;
import dev.amqptasks.spi.TaskObservations;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.TaskRegistry.StartOutcome;
import dev.amqptasks.spi.TaskRegistry.StartRequest;
import dev.amqptasks.spi.TaskRegistry.TaskResult;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskDefinition;
import dev.amqptasks.task.TaskInvoker;
import dev.amqptasks.task.TaskPolicy;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.slf4j.MDC;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.dao.DataAccessException;

/**
 * Takes one delivered message to its acknowledged outcome: read it, start it in the registry,
 * run it, store how it ended, and only then acknowledge it. A message whose outcome could not
 * be stored is never acknowledged, so the broker delivers it again.
 * <ul>
 * <li>A message that can never run (not JSON, no id or name, too large, an unknown task) goes to
 * the error queue with a header saying why; if it had an id, the task's state says why too.</li>
 * <li>A failed attempt with retries left is stored {@code retrying} and republished through a
 * delay queue; with none left it is stored {@code errored} and goes to the error queue.</li>
 * <li>A message whose task a live worker holds is put back through a delay queue for the time
 * its lease has left (never run twice at once, never dropped).</li>
 * <li>A message of a task this worker does not know is put back for a worker that knows it (a
 * rolling deploy), for up to the unknown-task timeout; then it is dead-lettered.</li>
 * <li>Each attempt holds its task under a token of its own; an attempt that lost its task to
 * another (its lease ran out while this worker was frozen) stores nothing more.</li>
 * </ul>
 */
final class TaskRunner {

	/** MDC key holding the id of the task a log line is about. */
	static final String MDC_TASK_ID = "taskId";

	/** MDC key holding the name of the task a log line is about. */
	static final String MDC_TASK_NAME = "taskName";

	private static final Log logger = LogFactory.getLog(TaskRunner.class);

	private static final Duration MAX_STORE_BACKOFF = Duration.ofSeconds(5);

	/** How long a message of an unknown task waits before a worker looks at it again. */
	private static final Duration UNKNOWN_TASK_RECHECK = Duration.ofSeconds(5);

	private final MessageReader reader;

	private final TaskCatalog catalog;

	private final TaskInvoker invoker;

	private final TaskRegistry registry;

	private final TaskPublisher publisher;

	private final JsonMapper json;

	private final RunningTasks running;

	private final ScheduledExecutorService timeouts;

	private final String workerId;

	private final TaskPolicy defaults;

	private final Duration lease;

	private final BooleanSupplier stopping;

	private final Observability observability;

	private final CoalescedRegistryWrites writes;

	private final Duration unknownTaskTimeout;

	private final Clock clock;

	TaskRunner(Collaborators collaborators, CoalescedRegistryWrites writes, RunningTasks running,
			ScheduledExecutorService timeouts, String workerId, TaskWorker.Settings settings, BooleanSupplier stopping,
			Observability observability) {
		this.writes = writes;
		this.reader = new MessageReader(collaborators.json(), settings.maxMessageSize());
		this.catalog = collaborators.catalog();
		this.invoker = collaborators.invoker();
		this.registry = collaborators.registry();
		this.publisher = collaborators.publisher();
		this.json = collaborators.json();
		this.running = running;
		this.timeouts = timeouts;
		this.workerId = workerId;
		this.defaults = settings.defaultPolicy();
		this.lease = settings.leaseTtl();
		this.unknownTaskTimeout = settings.unknownTaskTimeout();
		this.clock = collaborators.clock();
		this.stopping = stopping;
		this.observability = observability;
	}

	/**
	 * Takes a delivered message to its outcome.
	 * @param message the message
	 * @param channel the channel it came on
	 * @param received the observation of its receipt (whose trace the publisher's headers
	 * continue), or {@code null}
	 */
	void run(Message message, Channel channel, Observation received) {
		Delivery delivery = new Delivery(message, channel, this.publisher, received);
		// The message id is the task id and a header names the task: log lines about a message
		// that cannot be read say which task it was, too.
		putMdc(message.getMessageProperties().getMessageId(),
				message.getMessageProperties().getHeader(TaskHeaders.TASK));
		try {
			TaskMessage task;
			try {
				task = this.reader.read(message);
			}
			catch (MalformedTaskMessageException ex) {
				String reason = "the message can never run: " + ex.getMessage();
				logger.warn("Dead-lettering a message (task id " + ex.taskId() + ") because " + reason);
				TaskError error = new TaskError(MalformedTaskMessageException.class.getName(), reason);
				if (ex.taskId() != null) {
					recordQuietly(ex.taskId(), error);
				}
				delivery.deadLetter(reason, error);
				return;
			}
			putMdc(task.id(), task.task());
			run(task, delivery);
		}
		finally {
			MDC.remove(MDC_TASK_ID);
			MDC.remove(MDC_TASK_NAME);
		}
	}

	private static void putMdc(Object id, Object name) {
		if (id != null) {
			MDC.put(MDC_TASK_ID, id.toString());
		}
		if (name != null) {
			MDC.put(MDC_TASK_NAME, name.toString());
		}
	}

	private void run(TaskMessage task, Delivery delivery) {
		// A delay longer than one hop of the delay ladder: on to the next hop, before the
		// registry hears of it, so the task stays scheduled and no attempt is counted.
		if (task.notBefore() != null && delivery.forwardIfNotDue(task.notBefore())) {
			return;
		}
		TaskDefinition definition = this.catalog.find(task.task()).orElse(null);
		if (definition == null) {
			unknownTask(task, delivery);
			return;
		}
		TaskPolicy policy = definition.policy(this.defaults);
		// One token per delivery: a start call repeated after its reply was lost is told RUN again.
		String token = UUID.randomUUID().toString();
		AtomicReference<StartOutcome> started = new AtomicReference<>();
		StartRequest request = new StartRequest(new NewTask(task.id(), task.task(),
				this.json.writeValueAsString(task.args()), this.json.writeValueAsString(task.kwargs()),
				policy.maxRetries(), task.attempts(), task.replay(), task.notBefore(), delivery.sentAt()), token);
		Stored start = store(() -> started.set(this.writes.start(request)));
		if (start != Stored.YES) {
			if (start == Stored.REFUSED) {
				delivery.deadLetter("the registry refused to start it", null);
			}
			return;
		}
		StartOutcome outcome = started.get();
		switch (outcome.decision()) {
			case SKIP -> {
				logger.debug("Skipping task " + task.id() + ": it is " + outcome.status().value()
						+ " or the message is from an earlier run");
				delivery.ack();
			}
			case DEFER -> {
				logger.info("Task " + task.id() + " is held by a live worker; looking at it again in "
						+ outcome.leaseLeft());
				delivery.defer(outcome.leaseLeft());
			}
			case DEAD_LETTER -> {
				logger.warn("Dead-lettering task " + task.id() + ": its message came after the registry may have "
						+ "forgotten it, so it may have been canceled or finished");
				delivery.deadLetter("the task's registry entry may have expired before its message arrived", null);
			}
			case RUN -> {
				Attempt attempt = new Attempt(task, token, outcome.attempt());
				if (policy.allowsAttempt(outcome.attempt())) {
					runAttempt(attempt, definition, policy, delivery);
				}
				else {
					String reason = "attempt " + outcome.attempt() + " would exceed " + policy.maxRetries()
							+ " retries: earlier attempts started and never ended (did the task kill its worker?)";
					endErrored(attempt, new TaskError(TaskGaveUpException.class.getName(), reason), delivery);
				}
			}
		}
	}

	/**
	 * Puts back a message of a task this worker does not know, for a worker that knows it (during
	 * a rolling deploy, an older worker may get a new task), up to the unknown-task timeout from
	 * when a worker first found it unknown; then dead-letters it and records why.
	 */
	private void unknownTask(TaskMessage task, Delivery delivery) {
		long now = this.clock.millis();
		Object header = delivery.message().getMessageProperties().getHeader(TaskHeaders.UNKNOWN_SINCE);
		long since = (header instanceof Number number) ? number.longValue() : now;
		Duration waited = Duration.ofMillis(Math.max(0, now - since));
		if (waited.compareTo(this.unknownTaskTimeout) < 0) {
			logger.warn("No task named '" + task.task() + "' is registered in worker " + this.workerId
					+ "; putting task " + task.id() + " back for a worker that knows it (unknown for " + waited
					+ " of " + this.unknownTaskTimeout + ")");
			delivery.message().getMessageProperties().setHeader(TaskHeaders.UNKNOWN_SINCE, since);
			delivery.defer(UNKNOWN_TASK_RECHECK);
			return;
		}
		String reason = "no worker that received it knows a task named '" + task.task() + "' (for " + waited
				+ "; last: worker " + this.workerId + ")";
		logger.warn("Dead-lettering task " + task.id() + " because " + reason);
		TaskError error = new TaskError(UnknownTaskException.class.getName(),
				new UnknownTaskException(task.task()).getMessage() + ": " + reason);
		recordQuietly(task.id(), error);
		delivery.deadLetter(reason, error);
	}

	/**
	 * Runs one attempt inside its observation: a timer tagged with the task name and the
	 * outcome, and a span whose parent is the message's receipt.
	 */
	private void runAttempt(Attempt attempt, TaskDefinition definition, TaskPolicy policy, Delivery delivery) {
		TaskMessage task = attempt.task();
		Observation observation = Observation
			.createNotStarted(TaskObservations.EXECUTION, this.observability.registry())
			.contextualName("run " + task.task())
			.parentObservation(delivery.received())
			.lowCardinalityKeyValue(TaskObservations.TASK, task.task())
			.highCardinalityKeyValue(TaskObservations.TASK_ID, task.id())
			.highCardinalityKeyValue(TaskObservations.ATTEMPT, String.valueOf(attempt.number()))
			.start();
		// Every attempt gets an outcome tag: a meter name must keep one set of tag keys.
		Outcome outcome = Outcome.ERRORED;
		try (Observation.Scope scope = observation.openScope()) {
			outcome = attempt(attempt, definition, policy, delivery, observation);
		}
		catch (RuntimeException | Error ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.lowCardinalityKeyValue(TaskObservations.OUTCOME, outcome.tag());
			observation.stop();
		}
	}

	private Outcome attempt(Attempt attempt, TaskDefinition definition, TaskPolicy policy, Delivery delivery,
			Observation observation) {
		TaskMessage task = attempt.task();
		String id = task.id();
		RunningTask runningTask = this.running.start(id, task.task(), attempt.token());
		ScheduledFuture<?> deadline = (policy.timeout() != null) ? this.timeouts.schedule(runningTask::timeOut,
				policy.timeout().toMillis(), TimeUnit.MILLISECONDS) : null;
		Object result = null;
		Throwable failure = null;
		try {
			result = this.invoker.invoke(definition, task.args(), task.kwargs(),
					new WorkerTaskContext(runningTask, attempt.number(), this.registry));
		}
		catch (Throwable ex) {
			failure = ex;
		}
		finally {
			if (deadline != null) {
				deadline.cancel(false);
			}
			this.running.finish(runningTask);
		}
		if (runningTask.isLost()) {
			// Another attempt holds the task: whatever this one did is not stored.
			delivery.requeue();
			return Outcome.LOST;
		}
		if (runningTask.isCanceled() && failure != null) {
			logger.info("Task " + id + " was canceled while running");
			return settle(store(() -> this.registry.markCanceled(id, attempt.token())), delivery, Outcome.CANCELED,
					delivery::ack);
		}
		if (runningTask.isTimedOut()) {
			failure = new TaskTimeoutException(id, policy.timeout());
		}
		else if (isInterruption(failure) && this.stopping.getAsBoolean()) {
			// Interrupted by the worker's own shutdown: give it back to the queue.
			logger.info("Task " + id + " was interrupted by the worker's shutdown; it will run again");
			return settle(store(() -> this.registry.requeue(id, attempt.token())), delivery, Outcome.REQUEUED,
					delivery::requeue);
		}
		if (failure == null) {
			try {
				String resultJson = this.json.writeValueAsString(result);
				return settle(store(() -> this.writes.finish(new TaskResult(id, attempt.token(), resultJson))),
						delivery, Outcome.FINISHED, delivery::ack);
			}
			catch (RuntimeException ex) {
				failure = ex;
			}
		}
		Throwable error = failure;
		observation.error(error);
		if (policy.retries(attempt.number(), error)) {
			return retry(attempt, policy.delayAfter(attempt.number()), error, delivery);
		}
		logger.error("Task " + id + " failed for good on attempt " + attempt.number() + ": " + error, error);
		return endErrored(attempt, TaskError.of(error), delivery);
	}

	/**
	 * Settles the message once the outcome's write is done: as given when it is stored (or
	 * refused for good); back to the queue when the attempt lost the task, so that the registry
	 * decides again; not at all when the worker stopped before storing it.
	 */
	private static Outcome settle(Stored stored, Delivery delivery, Outcome outcome, Runnable settle) {
		switch (stored) {
			case YES, REFUSED -> settle.run();
			case LOST -> delivery.requeue();
			case ABANDONED -> {
			}
		}
		return (stored == Stored.LOST) ? Outcome.LOST : outcome;
	}

	/**
	 * Whether a task failed because its thread was interrupted, however the interruption
	 * surfaced (an {@link InterruptedException}, an interrupted channel or stream, or either
	 * wrapped in another exception).
	 */
	static boolean isInterruption(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InterruptedException || cause instanceof ClosedByInterruptException
					|| cause instanceof InterruptedIOException) {
				return true;
			}
		}
		return false;
	}

	private Outcome retry(Attempt attempt, Duration delay, Throwable error, Delivery delivery) {
		TaskMessage task = attempt.task();
		logger.warn("Task " + task.id() + " failed on attempt " + attempt.number() + ", retrying in " + delay + ": "
				+ error);
		return settle(store(() -> this.registry.retry(task.id(), attempt.token(), TaskError.of(error), delay)),
				delivery, Outcome.RETRYING, () -> {
					try {
						this.publisher.publish(task.withAttempts(attempt.number()), delay);
						delivery.ack();
						this.observability.lifecycleListener().retryQueued(task.task());
					}
					catch (RuntimeException ex) {
						// The retry message is not out: the broker gets the original back and it runs again.
						logger.warn("Could not queue the retry of task " + task.id() + "; returning it to the queue: "
								+ ex.getMessage());
						delivery.requeue();
					}
				});
	}

	private Outcome endErrored(Attempt attempt, TaskError error, Delivery delivery) {
		return settle(store(() -> this.registry.fail(attempt.task().id(), attempt.token(), error)), delivery,
				Outcome.ERRORED, () -> delivery.deadLetter("the task failed with no retry left", error));
	}

	/**
	 * Records why a message that never started an attempt was dead-lettered; never over an
	 * attempt whose lease is live.
	 */
	private void recordQuietly(String id, TaskError error) {
		try {
			this.registry.fail(id, null, error);
		}
		catch (TaskNotFoundException | IllegalTaskStateChangeException ex) {
			// Nothing to record: the registry never had the task, it ended, or a live attempt holds it.
		}
		catch (RuntimeException ex) {
			logger.warn("Could not record why task " + id + " was dead-lettered: " + ex.getMessage());
		}
	}

	/**
	 * Writes to the registry until it succeeds, backing off while the registry is unreachable.
	 * Gives up only when the worker stops: the message then stays unacknowledged and is
	 * delivered again. A change the registry refuses is final and is not retried.
	 */
	private Stored store(Runnable write) {
		long backoffMillis = 100;
		while (true) {
			try {
				write.run();
				return Stored.YES;
			}
			catch (AttemptLostException ex) {
				logger.warn("The attempt lost its lease, so its outcome is not stored: " + ex.getMessage());
				return Stored.LOST;
			}
			catch (TaskNotFoundException | IllegalTaskStateChangeException ex) {
				logger.warn("The registry refused the change: " + ex.getMessage());
				return Stored.REFUSED;
			}
			catch (DataAccessException ex) {
				if (this.stopping.getAsBoolean()) {
					logger.warn("Giving up storing the task's state while stopping; it will be delivered again");
					return Stored.ABANDONED;
				}
				logger.warn("Could not store the task's state, retrying in " + backoffMillis + " ms: "
						+ ex.getMessage());
				try {
					Thread.sleep(backoffMillis);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return Stored.ABANDONED;
				}
				backoffMillis = Math.min(backoffMillis * 2, MAX_STORE_BACKOFF.toMillis());
			}
		}
	}

	/**
	 * An attempt this worker runs.
	 *
	 * @param task the task as its message carries it
	 * @param token the token under which the attempt holds the task
	 * @param number the attempt number, from 1
	 */
	private record Attempt(TaskMessage task, String token, int number) {
	}

	/** How an attempt ended: the {@code outcome} of its observation. */
	private enum Outcome {

		FINISHED, RETRYING, ERRORED, CANCELED,

		/** Interrupted by the worker's shutdown and given back to the queue. */
		REQUEUED,

		/** Another attempt took the task over: nothing of this one is stored. */
		LOST;

		String tag() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/** How a registry write ended. */
	private enum Stored {

		/** The change is stored. */
		YES,

		/** The registry refused the change for good (unknown task, or not allowed now). */
		REFUSED,

		/** Not stored because the worker is stopping; the message must stay unacknowledged. */
		ABANDONED,

		/** Refused because another attempt holds the task; the registry decides about the message again. */
		LOST

	}

	/**
	 * The collaborators a runner shares with the rest of the worker.
	 *
	 * @param catalog the tasks this worker knows
	 * @param invoker runs a task's method
	 * @param registry the task registry
	 * @param publisher publishes retries and dead letters
	 * @param json the JSON mapper
	 * @param clock the clock
	 */
	record Collaborators(TaskCatalog catalog, TaskInvoker invoker, TaskRegistry registry, TaskPublisher publisher,
			JsonMapper json, Clock clock) {
	}

	/**
	 * Where a runner reports what it does.
	 *
	 * @param registry observes each attempt
	 * @param lifecycleListener hears of each retry queued
	 */
	record Observability(ObservationRegistry registry, TaskLifecycleListener lifecycleListener) {

		static final Observability NONE = new Observability(ObservationRegistry.NOOP, TaskLifecycleListener.NONE);

	}

	/**
	 * The broker side of one delivery, and the observation of its receipt. A failed
	 * acknowledgement needs no action: the channel is gone and the broker delivers the message
	 * again.
	 */
	private record Delivery(Message message, Channel channel, TaskPublisher publisher, Observation received) {

		long tag() {
			return this.message.getMessageProperties().getDeliveryTag();
		}

		/**
		 * When the message was sent, if it says.
		 */
		Instant sentAt() {
			Object sentAt = this.message.getMessageProperties().getHeader(TaskHeaders.SENT_AT);
			return (sentAt instanceof Number millis) ? Instant.ofEpochMilli(millis.longValue()) : null;
		}

		void ack() {
			try {
				this.channel.basicAck(tag(), false);
			}
			catch (IOException | RuntimeException ex) {
				logger.warn("Could not acknowledge a message; it will be delivered again: " + ex.getMessage());
			}
		}

		void requeue() {
			try {
				this.channel.basicNack(tag(), false, true);
			}
			catch (IOException | RuntimeException ex) {
				logger.warn("Could not requeue a message; the broker will when the channel closes: " + ex.getMessage());
			}
		}

		/**
		 * Sends the message on to the next hop of its delay if it is not due yet, then
		 * acknowledges it; if it cannot be sent, returns it to the queue.
		 * @return whether the message is dealt with ({@code false}: it is due)
		 */
		boolean forwardIfNotDue(Instant notBefore) {
			try {
				if (!this.publisher.forwardIfNotDue(this.message, notBefore, this.received)) {
					return false;
				}
				ack();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not send a delayed message on to its next hop; returning it to the queue: "
						+ ex.getMessage());
				requeue();
			}
			return true;
		}

		void defer(Duration delay) {
			try {
				this.publisher.defer(this.message, delay);
				ack();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not defer a message; returning it to the queue: " + ex.getMessage());
				requeue();
			}
		}

		/**
		 * Puts the message into the error queue with the reason in its headers, then
		 * acknowledges it; if the copy cannot be published, rejects it so that the main queue
		 * dead-letters it (without the headers).
		 */
		void deadLetter(String reason, TaskError error) {
			try {
				this.publisher.deadLetter(this.message, reason, error);
				ack();
				return;
			}
			catch (RuntimeException ex) {
				logger.warn("Could not publish to the error queue; rejecting instead: " + ex.getMessage());
			}
			try {
				this.channel.basicReject(tag(), false);
			}
			catch (IOException | RuntimeException ex) {
				logger.warn("Could not reject a message; it will be delivered again: " + ex.getMessage());
			}
		}

	}

}
