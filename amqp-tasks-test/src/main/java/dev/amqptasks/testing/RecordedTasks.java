package dev.amqptasks.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.UnknownTaskException;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskHeaders;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskDefinition;
import dev.amqptasks.task.TaskInvoker;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The tasks an application enqueued in a test with {@link AutoConfigureTaskRecording}:
 * what was enqueued, with which arguments, and a way to run the enqueued tasks now, in
 * the calling thread, against the in-memory registry (like Celery's eager mode, but on
 * demand). <pre class="code">
 * orders.place(order);                                   // enqueues billing.send-invoice
 * assertThat(tasks.enqueued("billing.send-invoice")).singleElement()
 *     .extracting(RecordedTask::args).isEqualTo(List.of(42, "a@example.com"));
 * tasks.runAll();                                        // runs it (and what it enqueues)
 * assertThat(tasks.find(id).status()).isEqualTo(TaskStatus.FINISHED);
 * </pre> A run is one attempt: a task that throws ends {@code errored} (no retries, no
 * delay), as the registry records it. Delays are ignored. Thread-safe.
 */
public final class RecordedTasks {

	/** The worker id runs are stored under. */
	public static final String WORKER_ID = "amqp-tasks-test";

	/**
	 * The most runs of one {@link #runAll()}, so that tasks that enqueue themselves end.
	 */
	private static final int MAX_RUNS = 10_000;

	private static final Duration LEASE = Duration.ofHours(1);

	private static final TypeReference<List<Object>> LIST = new TypeReference<>() {
	};

	private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
	};

	private final ObjectProvider<TaskCatalog> catalog;

	private final ObjectProvider<TaskInvoker> invoker;

	private final ObjectProvider<TaskRegistry> registry;

	private final JsonMapper json;

	private final List<Recorded> enqueued = new ArrayList<>();

	private final Deque<Recorded> pending = new ArrayDeque<>();

	RecordedTasks(ObjectProvider<TaskCatalog> catalog, ObjectProvider<TaskInvoker> invoker,
			ObjectProvider<TaskRegistry> registry, JsonMapper json) {
		this.catalog = catalog;
		this.invoker = invoker;
		this.registry = registry;
		this.json = json;
	}

	void record(Message message) {
		JsonNode body = this.json.readTree(message.getBody());
		JsonNode args = body.path("args");
		JsonNode kwargs = body.path("kwargs");
		RecordedTask task = new RecordedTask(body.path("id").asString(), body.path("task").asString(),
				this.json.treeToValue(args, LIST), this.json.treeToValue(kwargs, MAP), args, kwargs);
		Recorded recorded = new Recorded(task, header(message, TaskHeaders.ATTEMPTS),
				header(message, TaskHeaders.REPLAY));
		synchronized (this) {
			this.enqueued.add(recorded);
			this.pending.add(recorded);
		}
	}

	private static int header(Message message, String name) {
		Object value = message.getMessageProperties().getHeaders().get(name);
		return (value instanceof Number number) ? number.intValue() : 0;
	}

	/**
	 * Every task message recorded since the start or the last {@link #clear()}, in order,
	 * whether it has run or not (a replay records its task again).
	 * @return the recorded tasks
	 */
	public synchronized List<RecordedTask> enqueued() {
		return this.enqueued.stream().map(Recorded::task).toList();
	}

	/**
	 * The recorded tasks of one name.
	 * @param name the task name
	 * @return the recorded tasks of that name, in order
	 */
	public List<RecordedTask> enqueued(String name) {
		return enqueued().stream().filter((task) -> task.name().equals(name)).toList();
	}

	/**
	 * The recorded tasks that have not run yet.
	 * @return the pending tasks, in order
	 */
	public synchronized List<RecordedTask> pending() {
		return this.pending.stream().map(Recorded::task).toList();
	}

	/**
	 * A task as the registry holds it.
	 * @param id the task id
	 * @return the task
	 * @throws IllegalArgumentException if the registry does not know the id
	 */
	public TaskInfo find(String id) {
		return this.registry.getObject()
			.find(id)
			.orElseThrow(() -> new IllegalArgumentException("No task with id '" + id + "'"));
	}

	/**
	 * Runs the pending tasks in this thread, oldest first, including those they enqueue,
	 * until none is left. Each run is one attempt through the registry, as a worker makes
	 * it: a task canceled or already run is skipped, a result is stored {@code finished},
	 * an exception {@code errored}.
	 * @return the tasks that ran, in their state after the run
	 * @throws IllegalStateException if more than 10,000 tasks ran (a task that keeps
	 * enqueuing itself)
	 */
	public List<TaskInfo> runAll() {
		List<TaskInfo> ran = new ArrayList<>();
		Recorded next;
		while ((next = poll()) != null) {
			if (ran.size() >= MAX_RUNS) {
				throw new IllegalStateException("More than " + MAX_RUNS + " tasks ran: does a task enqueue itself?");
			}
			TaskInfo task = run(next);
			if (task != null) {
				ran.add(task);
			}
		}
		return ran;
	}

	/**
	 * Forgets the recorded tasks, run or not (the registry keeps them).
	 */
	public synchronized void clear() {
		this.enqueued.clear();
		this.pending.clear();
	}

	private synchronized Recorded poll() {
		return this.pending.poll();
	}

	private TaskInfo run(Recorded recorded) {
		RecordedTask message = recorded.task();
		TaskRegistry registry = this.registry.getObject();
		NewTask task = new NewTask(message.id(), message.name(), this.json.writeValueAsString(message.argsJson()),
				this.json.writeValueAsString(message.kwargsJson()), 0, recorded.attempts(), recorded.replay(), null,
				null);
		String token = UUID.randomUUID().toString();
		TaskRegistry.StartOutcome outcome = registry.start(new TaskRegistry.StartRequest(task, token), WORKER_ID,
				LEASE);
		if (!outcome.run()) {
			return null;
		}
		TaskDefinition definition = this.catalog.getObject().find(message.name()).orElse(null);
		if (definition == null) {
			registry.fail(message.id(), token, TaskError.of(new UnknownTaskException(message.name())));
			return find(message.id());
		}
		RecordedTaskContext context = new RecordedTaskContext(message.id(), message.name(), token, outcome.attempt(),
				registry);
		Object result;
		try {
			result = this.invoker.getObject().invoke(definition, message.argsJson(), message.kwargsJson(), context);
		}
		catch (Throwable ex) {
			registry.fail(message.id(), token, TaskError.of(ex));
			return find(message.id());
		}
		registry.finish(message.id(), token, this.json.writeValueAsString(result));
		return find(message.id());
	}

	private record Recorded(RecordedTask task, int attempts, int replay) {
	}

}
