package dev.amqptasks.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.registry.NewTask;
import dev.amqptasks.registry.TaskRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DataAccessException;

/**
 * The one path by which a task is enqueued, whether through a task's bean, {@code TaskClient}
 * or HTTP: check the arguments where the task is known, store {@code scheduled}, then publish
 * with a confirm. Storing first means a fast worker can never be overtaken by the producer's
 * own write.
 * <p>
 * Enqueues made at the same time from many threads are stored and published together, by one
 * thread: one registry call and one channel for a batch, whose messages the broker confirms
 * together. Each call still returns only once its own message is confirmed.
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

	private final CoalescingQueue<Pending> pending = new CoalescingQueue<>("amqp-tasks-enqueue", MAX_BATCH,
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
	 * @throws TaskEnqueueException if the registry or the broker failed
	 */
	public Enqueued enqueue(String name, JsonNode args, JsonNode kwargs, EnqueueOptions options) {
		// Observed so that the publish, and through its headers the run, become children of
		// whatever the caller is doing (an HTTP request, a task that enqueues another).
		Observation observation = Observation.createNotStarted(TaskObservations.ENQUEUE, this.observationRegistry)
			.contextualName("enqueue " + name)
			.lowCardinalityKeyValue(TaskObservations.TASK, name)
			.start();
		Enqueued enqueued;
		try {
			enqueued = enqueue(name, args, kwargs, options, observation);
		}
		catch (RuntimeException ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
		if (enqueued.created()) {
			this.lifecycleListener.enqueued(name);
		}
		return enqueued;
	}

	private Enqueued enqueue(String name, JsonNode args, JsonNode kwargs, EnqueueOptions options,
			Observation observation) {
		JsonNode positional = (args != null) ? args : this.json.createArrayNode();
		JsonNode named = (kwargs != null) ? kwargs : this.json.createObjectNode();
		TaskDefinition known = this.catalog.find(name).orElse(null);
		if (known != null) {
			this.arguments.bind(known, positional, named, null);
		}
		int maxRetries = (known != null) ? known.maxRetries(this.maxRetries) : this.maxRetries;
		if (options.delay() != null && options.delay().compareTo(TaskTopology.MAX_DELAY) > 0) {
			throw new IllegalArgumentException("A delay must be at most " + TaskTopology.MAX_DELAY + ", was "
					+ options.delay());
		}
		String id = (options.id() != null) ? options.id() : UUID.randomUUID().toString();
		observation.highCardinalityKeyValue(TaskObservations.TASK_ID, id);
		NewTask task = new NewTask(id, name, this.json.writeValueAsString(positional),
				this.json.writeValueAsString(named), maxRetries);
		Pending pending = new Pending(task, new TaskMessage(id, name, positional, named), options.delay(), observation);
		this.pending.submit(pending);
		Stored stored = awaitStored(pending);
		if (stored.confirmation() != null) {
			try {
				stored.confirmation().await();
			}
			catch (TaskEnqueueException ex) {
				if (stored.creation().created()) {
					markUnpublished(id, ex);
				}
				throw ex;
			}
		}
		return new Enqueued(stored.creation().task(), stored.creation().created());
	}

	private static Stored awaitStored(Pending pending) {
		try {
			return pending.stored().get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new TaskEnqueueException("Interrupted while enqueuing task '" + pending.task().id() + "'", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException failure) {
				throw failure;
			}
			throw new TaskEnqueueException("Could not enqueue task '" + pending.task().id() + "'", ex.getCause());
		}
	}

	/**
	 * Stores a batch of tasks with one registry call, then publishes the messages of those it
	 * created on one channel. Storing first means a fast worker can never be overtaken by the
	 * producer's own write.
	 */
	private void storeAndPublish(List<Pending> batch) {
		List<TaskRegistry.Creation> creations;
		try {
			creations = this.registry.createAll(batch.stream().map(Pending::task).toList());
		}
		catch (RuntimeException ex) {
			for (Pending pending : batch) {
				pending.stored()
					.completeExceptionally((ex instanceof DataAccessException) ? new TaskEnqueueException(
							"Could not store task '" + pending.task().id() + "' in the registry: " + ex.getMessage(),
							ex) : ex);
			}
			return;
		}
		List<TaskPublisher.Publication> publications = new ArrayList<>();
		List<Integer> published = new ArrayList<>();
		for (int i = 0; i < batch.size(); i++) {
			Pending pending = batch.get(i);
			TaskRegistry.Creation creation = creations.get(i);
			TaskInfo existing = creation.task();
			if (creation.created()) {
				publications.add(new TaskPublisher.Publication(pending.message(), pending.delay(),
						pending.observation()));
				published.add(i);
			}
			else if (existing.status() == TaskStatus.SCHEDULED && existing.attempts() == 0) {
				// It may never have been published: an earlier enqueue of this id can have lost
				// the registry's reply, or the client sent the script again after a reconnect.
				// A second message is harmless (workers skip or defer a task already taken), a
				// missing one would leave the task scheduled for ever.
				publications.add(new TaskPublisher.Publication(new TaskMessage(existing.id(), existing.name(),
						existing.args(), existing.kwargs(), 0, existing.replays()), pending.delay(),
						pending.observation()));
				published.add(i);
			}
			else {
				pending.stored().complete(new Stored(creation, null));
			}
		}
		List<TaskPublisher.Confirmation> confirmations = this.publisher.publishAll(publications);
		for (int p = 0; p < published.size(); p++) {
			int i = published.get(p);
			batch.get(i).stored().complete(new Stored(creations.get(i), confirmations.get(p)));
		}
	}

	/**
	 * Observes each enqueue with the given registry.
	 * @param observationRegistry the registry, {@link ObservationRegistry#NOOP} by default
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
	}

	/**
	 * Tells the given listener about each task created.
	 * @param lifecycleListener the listener, {@link TaskLifecycleListener#NONE} by default
	 */
	public void setLifecycleListener(TaskLifecycleListener lifecycleListener) {
		this.lifecycleListener = lifecycleListener;
	}

	private void markUnpublished(String id, TaskEnqueueException ex) {
		// The task is stored but no message exists: make its state say so rather than leave it
		// scheduled for ever. If a confirm was merely late, the worker skips the errored task.
		try {
			this.registry.fail(id, TaskError.of(ex));
		}
		catch (RuntimeException failure) {
			ex.addSuppressed(failure);
		}
	}

	/**
	 * Runs an {@code errored} or {@code canceled} task again, as a new run: attempts start from
	 * 0, and messages of earlier runs (a dead message moved back, a late retry) are skipped.
	 * @param id the task id
	 * @return the task, {@code scheduled}
	 * @throws dev.amqptasks.TaskNotFoundException if the task is unknown
	 * @throws dev.amqptasks.IllegalTaskStateChangeException if the task is not errored or canceled
	 * @throws TaskEnqueueException if the broker did not take the message
	 */
	public TaskInfo replay(String id) {
		TaskInfo task = this.registry.replay(id);
		try {
			this.publisher.publish(new TaskMessage(id, task.name(), task.args(), task.kwargs(), 0, task.replays()),
					null);
		}
		catch (TaskEnqueueException ex) {
			markUnpublished(id, ex);
			throw ex;
		}
		return task;
	}

	/**
	 * Takes no more enqueues, after storing and publishing those already made.
	 */
	@Override
	public void close() {
		this.pending.close();
	}

	/**
	 * A handle to a task.
	 * @param id the task id
	 * @return the handle
	 */
	public DefaultTaskHandle handle(String id) {
		return new DefaultTaskHandle(id, this.registry);
	}

	/**
	 * The future a {@code CompletableFuture}-returning task method hands its caller.
	 * @param task the task
	 * @param id the task id
	 * @return a future completed with the converted result, or with a {@code TaskFailedException}
	 */
	public java.util.concurrent.CompletableFuture<Object> result(TaskDefinition task, String id) {
		return this.registry.whenFinal(id).thenApply((info) -> convertResult(task, info));
	}

	private Object convertResult(TaskDefinition task, TaskInfo info) {
		if (info.status() != dev.amqptasks.TaskStatus.FINISHED) {
			throw new dev.amqptasks.TaskFailedException(info);
		}
		JsonNode result = info.result();
		if (result == null || result.isNull()) {
			return null;
		}
		return this.json.treeToValue(result, this.json.constructType(task.resultType()));
	}

	/**
	 * The outcome of an enqueue.
	 *
	 * @param task the stored task
	 * @param created whether this call created it ({@code false}: the id existed and nothing
	 * was published)
	 */
	public record Enqueued(TaskInfo task, boolean created) {
	}

	/** An enqueue waiting for its batch. */
	private record Pending(NewTask task, TaskMessage message, Duration delay, Observation observation,
			CompletableFuture<Stored> stored) {

		Pending(NewTask task, TaskMessage message, Duration delay, Observation observation) {
			this(task, message, delay, observation, new CompletableFuture<>());
		}

	}

	/** What the batch did for one enqueue: the creation, and the message to await if one was sent. */
	private record Stored(TaskRegistry.Creation creation, TaskPublisher.Confirmation confirmation) {
	}

}
