package dev.amqptasks.worker;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import com.rabbitmq.client.Channel;
import dev.amqptasks.MalformedTaskMessageException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskGaveUpException;
import dev.amqptasks.TaskTimeoutException;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.spi.CancelTaskException;
import dev.amqptasks.spi.DeferTaskException;
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

/**
 * Takes one delivered message to its acknowledged outcome: read it, start it in the
 * registry, run it, store how it ended, and only then acknowledge it. A message whose
 * outcome could not be stored is never acknowledged, so the broker delivers it again.
 * <ul>
 * <li>A message that can never run (not JSON, no id or name, too large, an unknown task)
 * goes to the error queue with a header saying why; if it had an id, the task's state
 * says why too.</li>
 * <li>A failed attempt with retries left is stored {@code retrying} and republished
 * through a delay queue; with none left it is stored {@code errored} and goes to the
 * error queue.</li>
 * <li>A message whose task a live worker holds is put back through a delay queue for the
 * time its lease has left (never run twice at once, never dropped).</li>
 * <li>A message of a task this worker does not know is put back for a worker that knows
 * it (a rolling deploy), for up to the unknown-task timeout; then it is
 * dead-lettered.</li>
 * <li>Each attempt holds its task under a token of its own; an attempt that lost its task
 * to another (its lease ran out while this worker was frozen) stores nothing more.</li>
 * </ul>
 */
final class TaskRunner {

	/** MDC key holding the id of the task a log line is about. */
	static final String MDC_TASK_ID = "taskId";

	/** MDC key holding the name of the task a log line is about. */
	static final String MDC_TASK_NAME = "taskName";

	private static final Log logger = LogFactory.getLog(TaskRunner.class);

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

	private final Clock clock;

	private final RegistryStore store;

	private final UnknownTasks unknownTasks;

	private final TaskExecutionChain interceptors;

	private final AttemptOutcomes outcomes;

	TaskRunner(Collaborators collaborators, CoalescedRegistryWrites writes, RunningTasks running,
			ScheduledExecutorService timeouts, String workerId, TaskWorker.Settings settings, BooleanSupplier stopping,
			Observability observability, TaskExecutionChain interceptors) {
		this.interceptors = interceptors;
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
		this.clock = collaborators.clock();
		this.stopping = stopping;
		this.observability = observability;
		this.store = new RegistryStore(this.registry, stopping);
		this.outcomes = new AttemptOutcomes(this.registry, this.publisher, this.store,
				observability.lifecycleListener());
		this.unknownTasks = new UnknownTasks(workerId, settings.unknownTaskTimeout(), this.clock, this.store);
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
		// The message id is the task id and a header names the task: log lines about a
		// message
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
					this.store.recordQuietly(ex.taskId(), error);
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
			this.unknownTasks.handle(task, delivery);
			return;
		}
		TaskPolicy policy = definition.policy(this.defaults);
		// One token per delivery: a start call repeated after its reply was lost is told
		// RUN again.
		String token = UUID.randomUUID().toString();
		AtomicReference<StartOutcome> started = new AtomicReference<>();
		StartRequest request = new StartRequest(new NewTask(task.id(), task.task(),
				this.json.writeValueAsString(task.args()), this.json.writeValueAsString(task.kwargs()),
				policy.maxRetries(), task.attempts(), task.replay(), task.notBefore(), delivery.sentAt()), token);
		RegistryStore.Stored start = this.store.store(() -> started.set(this.writes.start(request)));
		if (start != RegistryStore.Stored.YES) {
			if (start == RegistryStore.Stored.REFUSED) {
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
					TaskError error = new TaskError(TaskGaveUpException.class.getName(), reason);
					this.outcomes.endErrored(attempt, error, delivery);
				}
			}
		}
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
		AttemptOutcome outcome = AttemptOutcome.ERRORED;
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

	private AttemptOutcome attempt(Attempt attempt, TaskDefinition definition, TaskPolicy policy, Delivery delivery,
			Observation observation) {
		TaskMessage task = attempt.task();
		String id = task.id();
		RunningTask runningTask = this.running.start(id, task.task(), attempt.token());
		ScheduledFuture<?> deadline = (policy.timeout() != null)
				? this.timeouts.schedule(runningTask::timeOut, policy.timeout().toMillis(), TimeUnit.MILLISECONDS)
				: null;
		Object result = null;
		Throwable failure = null;
		try {
			WorkerTaskContext context = new WorkerTaskContext(runningTask, attempt.number(), this.registry);
			result = this.interceptors.proceed(
					new TaskExecutionChain.Execution(task.task(), id, attempt.number(), context),
					() -> this.invoker.invoke(definition, task.args(), task.kwargs(), context));
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
			return AttemptOutcome.LOST;
		}
		if (runningTask.isCanceled() && failure != null) {
			logger.info("Task " + id + " was canceled while running");
			return this.store.storeAndSettle(() -> this.registry.markCanceled(id, attempt.token()), delivery,
					AttemptOutcome.CANCELED, delivery::ack);
		}
		if (runningTask.isTimedOut()) {
			failure = new TaskTimeoutException(id, policy.timeout());
		}
		else if (isInterruption(failure) && this.stopping.getAsBoolean()) {
			// Interrupted by the worker's own shutdown: give it back to the queue.
			logger.info("Task " + id + " was interrupted by the worker's shutdown; it will run again");
			return this.store.storeAndSettle(() -> this.registry.requeue(id, attempt.token()), delivery,
					AttemptOutcome.REQUEUED, delivery::requeue);
		}
		else if (failure instanceof DeferTaskException deferral) {
			return this.outcomes.defer(attempt, deferral, delivery);
		}
		else if (failure instanceof CancelTaskException cancel) {
			return this.outcomes.cancel(attempt, cancel.getMessage(), delivery);
		}
		if (failure == null) {
			try {
				String resultJson = this.json.writeValueAsString(result);
				return this.store.storeAndSettle(
						() -> this.writes.finish(new TaskResult(id, attempt.token(), resultJson)), delivery,
						AttemptOutcome.FINISHED, delivery::ack);
			}
			catch (RuntimeException ex) {
				failure = ex;
			}
		}
		Throwable error = failure;
		observation.error(error);
		if (policy.retries(attempt.number(), error)) {
			return this.outcomes.retry(attempt, policy.delayAfter(attempt.number()), error, delivery);
		}
		logger.error("Task " + id + " failed for good on attempt " + attempt.number() + ": " + error, error);
		return this.outcomes.endErrored(attempt, TaskError.of(error), delivery);
	}

	/**
	 * Whether a task failed because its thread was interrupted, however the interruption
	 * surfaced (an {@link InterruptedException}, an interrupted channel or stream, or
	 * either wrapped in another exception).
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

}
