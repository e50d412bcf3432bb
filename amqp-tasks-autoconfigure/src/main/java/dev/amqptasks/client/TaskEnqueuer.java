package dev.amqptasks.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.UninterruptibleWait;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskLifecycleListener;
import dev.amqptasks.spi.TaskObservations;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.task.TaskArguments;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskDefinition;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DataAccessException;

/**
 * The one path by which a task is enqueued, whether through a task's bean,
 * {@code TaskClient} or HTTP: check the arguments where the task is known, store
 * {@code scheduled}, then publish with a confirm. Storing first means a fast worker can
 * never be overtaken by the producer's own write.
 * <p>
 * Enqueues made at the same time from many threads are stored and published together, by
 * one thread: one registry call and one channel for a batch, whose messages the broker
 * confirms together. Each call still returns only once its own message is confirmed.
 * <p>
 * An enqueue waits for its batch at most the confirm timeout, then for the broker's
 * confirm at most the confirm timeout again. An interrupt does not end either wait, since
 * by then the task may well be stored and published: the caller learns the true outcome
 * and finds its interrupt status set.
 * <p>
 * A replay is {@link TaskReplayer}'s job; handles and futures of enqueued tasks are
 * {@link TaskResults}'.
 */
public final class TaskEnqueuer implements AutoCloseable {

	/** The most enqueues stored and published together. */
	private static final int MAX_BATCH = 100;

	private final TaskCatalog catalog;

	private final TaskArguments arguments;

	private final TaskRegistry registry;

	private final TaskPublisher publisher;

	private final JsonMapper json;

	private final int maxRetries;

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private TaskLifecycleListener lifecycleListener = TaskLifecycleListener.NONE;

	private TaskMessageSizeLimit messageSizeLimit = TaskMessageSizeLimit.NONE;

	private final CoalescingQueue<Pending, Stored> batches = new CoalescingQueue<>("amqp-tasks-enqueue", MAX_BATCH,
			this::storeAndPublish);

	public TaskEnqueuer(TaskCatalog catalog, TaskArguments arguments, TaskRegistry registry, TaskPublisher publisher,
			JsonMapper json, int maxRetries) {
		this.catalog = catalog;
		this.arguments = arguments;
		this.registry = registry;
		this.publisher = publisher;
		this.json = json;
		this.maxRetries = maxRetries;
	}

	/**
	 * Enqueues a task.
	 * @param name the task name
	 * @param args positional arguments, a JSON array or {@code null}
	 * @param kwargs named arguments, a JSON object or {@code null}
	 * @param options id and delay
	 * @return the stored task and whether this call created it
	 * @throws InvalidTaskArgumentsException if the arguments cannot bind to a known task
	 * @throws dev.amqptasks.TaskTooLargeException if the message would be larger than
	 * workers accept
	 * @throws TaskEnqueueException if the registry or the broker failed
	 */
	public Enqueued enqueue(String name, JsonNode args, JsonNode kwargs, EnqueueOptions options) {
		return enqueueAll(List.of(new Request(name, args, kwargs, options))).get(0);
	}

	/**
	 * Enqueues many tasks: checks all their arguments first, so that bad input enqueues
	 * none of them, then stores and publishes them in batches and waits for every
	 * confirm.
	 * @param requests the tasks
	 * @return for each request, in order, the stored task and whether this call created
	 * it
	 * @throws InvalidTaskArgumentsException if the arguments of a request cannot bind to
	 * a known task (nothing is enqueued)
	 * @throws TaskEnqueueException if the registry or the broker failed for some of the
	 * tasks: the others are enqueued; those that failed are {@code errored} if they were
	 * stored (those whose batch did not end in time may still be enqueued, as their
	 * exception says), and the exception names the first of them (the others are
	 * suppressed exceptions)
	 */
	public List<Enqueued> enqueueAll(List<Request> requests) {
		List<Pending> pending = requests.stream().map(this::prepare).toList();
		List<CompletableFuture<Stored>> batched = new ArrayList<>(pending.size());
		for (Pending task : pending) {
			// Observed so that the publish, and through its headers the run, become
			// children of
			// whatever the caller is doing (an HTTP request, a task that enqueues
			// another).
			task.observation().start();
			try {
				batched.add(this.batches.offer(task));
			}
			catch (RuntimeException ex) {
				batched.add(CompletableFuture.failedFuture(ex));
			}
		}
		// First every task's batch, after which all the messages are out, then every
		// confirm:
		// each phase against one deadline for them all.
		long batchDeadline = this.publisher.confirmDeadline();
		List<Batched> stored = new ArrayList<>(pending.size());
		for (int i = 0; i < pending.size(); i++) {
			stored.add(awaitStored(pending.get(i), batched.get(i), batchDeadline));
		}
		long deadline = this.publisher.confirmDeadline();
		List<Enqueued> enqueued = new ArrayList<>(pending.size());
		RuntimeException failure = null;
		for (int i = 0; i < pending.size(); i++) {
			Pending task = pending.get(i);
			try {
				if (stored.get(i).failure() != null) {
					throw stored.get(i).failure();
				}
				Enqueued done = confirmed(task, stored.get(i).stored(), deadline);
				if (done.created()) {
					this.lifecycleListener.enqueued(task.task().name());
				}
				enqueued.add(done);
			}
			catch (RuntimeException ex) {
				task.observation().error(ex);
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
			finally {
				task.observation().stop();
			}
		}
		if (failure != null) {
			throw failure;
		}
		return enqueued;
	}

	private Pending prepare(Request request) {
		String name = request.name();
		JsonNode positional = (request.args() != null) ? request.args() : this.json.createArrayNode();
		JsonNode named = (request.kwargs() != null) ? request.kwargs() : this.json.createObjectNode();
		TaskDefinition known = this.catalog.find(name).orElse(null);
		if (known != null) {
			this.arguments.bind(known, positional, named, null);
		}
		int maxRetries = (known != null) ? known.maxRetries(this.maxRetries) : this.maxRetries;
		EnqueueOptions options = request.options();
		Instant notBefore = (options.delay() != null && !options.delay().isZero())
				? this.publisher.dueAfter(options.delay()) : null;
		String id = (options.id() != null) ? options.id() : UUID.randomUUID().toString();
		Observation observation = Observation.createNotStarted(TaskObservations.ENQUEUE, this.observationRegistry)
			.contextualName("enqueue " + name)
			.lowCardinalityKeyValue(TaskObservations.TASK, name)
			.highCardinalityKeyValue(TaskObservations.TASK_ID, id);
		this.messageSizeLimit.check(new TaskMessage(id, name, positional, named));
		NewTask task = new NewTask(id, name, this.json.writeValueAsString(positional),
				this.json.writeValueAsString(named), maxRetries, notBefore);
		return new Pending(task, new TaskMessage(id, name, positional, named).withNotBefore(notBefore), observation);
	}

	/**
	 * Waits for a task's batch until the deadline; a failure is returned, not thrown, so
	 * that every task of the call is waited for.
	 */
	private static Batched awaitStored(Pending task, CompletableFuture<Stored> batched, long deadline) {
		String id = task.task().id();
		try {
			return new Batched(UninterruptibleWait.until(batched, deadline), null);
		}
		catch (TimeoutException ex) {
			// The batch may still store and publish it: say so rather than that it
			// failed.
			return new Batched(null,
					new TaskEnqueueException("Task '" + id + "' was not stored and published "
							+ "within amqp-tasks.confirm-timeout, and may still be enqueued: look it up by its id, or "
							+ "enqueue it again with the same id to make sure it is", ex));
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof DataAccessException failure) {
				return new Batched(null, new TaskEnqueueException(
						"Could not store task '" + id + "' in the registry: " + failure.getMessage(), failure));
			}
			if (ex.getCause() instanceof RuntimeException failure) {
				return new Batched(null, failure);
			}
			return new Batched(null, new TaskEnqueueException("Could not enqueue task '" + id + "'", ex.getCause()));
		}
	}

	private Enqueued confirmed(Pending task, Stored stored, long deadline) {
		if (stored.confirmation() != null) {
			try {
				stored.confirmation().awaitUntil(deadline);
			}
			catch (TaskEnqueueException ex) {
				if (stored.creation().created()) {
					markUnpublished(this.registry, task.task().id(), ex);
				}
				throw ex;
			}
		}
		return new Enqueued(stored.creation().task(), stored.creation().created());
	}

	/**
	 * Stores a batch of tasks with one registry call, then publishes the messages of
	 * those it created on one channel. Storing first means a fast worker can never be
	 * overtaken by the producer's own write.
	 */
	private List<Stored> storeAndPublish(List<Pending> batch) {
		List<TaskRegistry.Creation> creations = this.registry.createAll(batch.stream().map(Pending::task).toList());
		Stored[] stored = new Stored[batch.size()];
		List<TaskPublisher.Publication> publications = new ArrayList<>();
		List<Integer> published = new ArrayList<>();
		for (int i = 0; i < batch.size(); i++) {
			Pending pending = batch.get(i);
			TaskRegistry.Creation creation = creations.get(i);
			TaskInfo existing = creation.task();
			if (creation.created()) {
				publications.add(new TaskPublisher.Publication(pending.message(), pending.observation()));
				published.add(i);
			}
			else if (existing.status() == TaskStatus.SCHEDULED && existing.attempts() == 0) {
				// It may never have been published: an earlier enqueue of this id can
				// have lost
				// the registry's reply, or the client sent the script again after a
				// reconnect.
				// A second message is harmless (workers skip or defer a task already
				// taken), a
				// missing one would leave the task scheduled for ever.
				publications.add(new TaskPublisher.Publication(new TaskMessage(existing.id(), existing.name(),
						existing.args(), existing.kwargs(), 0, existing.replays(), pending.message().notBefore()),
						pending.observation()));
				published.add(i);
			}
			else {
				stored[i] = new Stored(creation, null);
			}
		}
		List<TaskPublisher.Confirmation> confirmations = this.publisher.publishAll(publications);
		for (int p = 0; p < published.size(); p++) {
			int i = published.get(p);
			stored[i] = new Stored(creations.get(i), confirmations.get(p));
		}
		return List.of(stored);
	}

	/**
	 * Observes each enqueue with the given registry.
	 * @param observationRegistry the registry, {@link ObservationRegistry#NOOP} by
	 * default
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
	}

	/**
	 * Refuses tasks whose message is larger than workers accept, before anything is
	 * stored.
	 * @param maxBytes the largest message body, in bytes
	 * ({@code amqp-tasks.worker.max-message-size})
	 */
	public void setMaxMessageSize(long maxBytes) {
		this.messageSizeLimit = new TaskMessageSizeLimit(this.json, maxBytes);
	}

	/**
	 * Tells the given listener about each task created.
	 * @param lifecycleListener the listener, {@link TaskLifecycleListener#NONE} by
	 * default
	 */
	public void setLifecycleListener(TaskLifecycleListener lifecycleListener) {
		this.lifecycleListener = lifecycleListener;
	}

	/**
	 * Marks a stored task whose message the broker did not take {@code errored}.
	 */
	static void markUnpublished(TaskRegistry registry, String id, TaskEnqueueException ex) {
		// The task is stored but no message exists: make its state say so rather than
		// leave it
		// scheduled for ever. If a confirm was merely late, the worker skips the errored
		// task.
		try {
			registry.fail(id, null, TaskError.of(ex));
		}
		catch (RuntimeException failure) {
			ex.addSuppressed(failure);
		}
	}

	/**
	 * Takes no more enqueues, after storing and publishing those already made.
	 */
	@Override
	public void close() {
		this.batches.close();
	}

	/**
	 * The outcome of an enqueue.
	 *
	 * @param task the stored task
	 * @param created whether this call created it ({@code false}: the id existed and
	 * nothing was published)
	 */
	public record Enqueued(TaskInfo task, boolean created) {
	}

	/**
	 * A task to enqueue.
	 *
	 * @param name the task name
	 * @param args positional arguments, a JSON array or {@code null}
	 * @param kwargs named arguments, a JSON object or {@code null}
	 * @param options id and delay
	 */
	public record Request(String name, JsonNode args, JsonNode kwargs, EnqueueOptions options) {
	}

	/** An enqueue waiting for its batch. */
	private record Pending(NewTask task, TaskMessage message, Observation observation) {
	}

	/**
	 * What the batch did for one enqueue: the creation, and the message to await if one
	 * was sent.
	 */
	private record Stored(TaskRegistry.Creation creation, TaskPublisher.Confirmation confirmation) {
	}

	/**
	 * How an enqueue's batch ended for it: stored, or the exception the enqueue ends
	 * with.
	 */
	private record Batched(Stored stored, RuntimeException failure) {
	}

}
