package dev.amqptasks.registry;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.Assert;

/**
 * A {@link TaskRegistry} in Redis, shared by every process. Each operation is one Lua script,
 * so that every change is checked and applied atomically, and every key it writes gets the time
 * to live again.
 * <p>
 * Keys share the hash tag {@code {<keyPrefix>}} so that the scripts also work on a Redis
 * Cluster:
 * <ul>
 * <li>{@code {<keyPrefix>}:task:<id>}: the task (a hash);</li>
 * <li>{@code {<keyPrefix>}:log:<id>}: its event log (a list of JSON entries
 * {@code {"at": <epoch ms>, "message": ...}}, the newest {@value StoredTask#EVENT_LOG_CAP}
 * kept);</li>
 * <li>{@code {<keyPrefix>}:idx:all}, {@code {<keyPrefix>}:idx:status:<status>},
 * {@code {<keyPrefix>}:idx:name:<name>} and {@code {<keyPrefix>}:idx:status-name:<status>:<name>}:
 * the indexes that listings read (sorted sets of ids scored by creation time);</li>
 * <li>{@code {<keyPrefix>}:names}: the task names in use (a sorted set scored by when a task of
 * the name was last stored), so that {@link #counts()} finds the per-name indexes without
 * scanning keys.</li>
 * </ul>
 * A task entering a final state is announced on {@code {<keyPrefix>}:final:<id>}; cancellation
 * requests for running tasks on {@code {<keyPrefix>}:cancel} (the message is the task id).
 */
public final class RedisTaskRegistry implements TaskRegistry, AutoCloseable {

	private static final Duration FINAL_STATE_CHECK_INTERVAL = Duration.ofSeconds(3);

	/** Tasks changed by one script call: bounds how long one call holds Redis. */
	private static final int SCRIPT_BATCH = 100;

	private static final String STARTABLE = csv(TaskTransitions.sourcesOf(TaskStatus.RUNNING));

	private static final String CANCELABLE = csv(TaskTransitions.sourcesOf(TaskStatus.CANCELED));

	private static final String CANCELED_AT_ONCE = csv(StoredTask.CANCELED_AT_ONCE);

	private static final String CANCEL_FLAGGED = csv(StoredTask.CANCEL_FLAGGED);

	private static final String REPLAYABLE = csv(StoredTask.REPLAYED_FROM);

	private static final String PROGRESS_ALLOWED = TaskStatus.RUNNING.value();

	private static final String ALL_STATUSES = csv(EnumSet.allOf(TaskStatus.class));

	private static final RedisTaskScripts SCRIPTS = RedisTaskScripts.load();

	private final StringRedisTemplate redis;

	private final RedisMessageListenerContainer listeners;

	private final JsonMapper json;

	private final String base;

	private final String ttlMillis;

	private final Clock clock;

	private final ChannelTopic cancelTopic;

	private final FinalStateWatches finalStates;

	/**
	 * Creates a registry.
	 * @param redis the Redis client
	 * @param listeners a started listener container for the notifications
	 * @param json the mapper for arguments, results and errors
	 * @param keyPrefix the prefix of every key and channel (without braces)
	 * @param ttl how long a task is kept after its last change
	 * @param clock the clock for timestamps
	 */
	public RedisTaskRegistry(StringRedisTemplate redis, RedisMessageListenerContainer listeners, JsonMapper json,
			String keyPrefix, Duration ttl, Clock clock) {
		this(redis, listeners, json, keyPrefix, ttl, clock, FINAL_STATE_CHECK_INTERVAL);
	}

	RedisTaskRegistry(StringRedisTemplate redis, RedisMessageListenerContainer listeners, JsonMapper json,
			String keyPrefix, Duration ttl, Clock clock, Duration finalStateCheckInterval) {
		Assert.notNull(redis, "'redis' must not be null");
		Assert.notNull(listeners, "'listeners' must not be null");
		Assert.notNull(json, "'json' must not be null");
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		Assert.isTrue(keyPrefix.indexOf('{') < 0 && keyPrefix.indexOf('}') < 0,
				"'keyPrefix' must not contain braces, it becomes the keys' hash tag");
		Assert.isTrue(ttl != null && ttl.toMillis() > 0, "'ttl' must be positive");
		Assert.notNull(clock, "'clock' must not be null");
		this.redis = redis;
		this.listeners = listeners;
		this.json = json;
		this.base = "{" + keyPrefix + "}:";
		this.ttlMillis = Long.toString(ttl.toMillis());
		this.clock = clock;
		this.cancelTopic = new ChannelTopic(this.base + "cancel");
		// The scripts publish final notices on the same channel names.
		this.finalStates = new FinalStateWatches(listeners, (id) -> this.base + "final:" + id, this::find,
				this::statuses, finalStateCheckInterval);
	}

	@Override
	public Creation create(NewTask task) {
		return createAll(List.of(task)).get(0);
	}

	/**
	 * Creates the tasks with one script call per {@value #SCRIPT_BATCH} of them.
	 */
	@Override
	public List<Creation> createAll(List<NewTask> tasks) {
		tasks.forEach(this::requireJson);
		return inScriptBatches(tasks, this::createBatch);
	}

	private List<Creation> createBatch(List<NewTask> tasks) {
		String[] args = new String[5 * tasks.size()];
		int a = 0;
		for (NewTask task : tasks) {
			args[a++] = task.id();
			args[a++] = task.name();
			args[a++] = task.argsJson();
			args[a++] = task.kwargsJson();
			args[a++] = Integer.toString(task.maxRetries());
		}
		long now = this.clock.millis();
		List<Object> results = run(SCRIPTS.create(), keysOf(tasks.stream().map(NewTask::id).toList()), now, args);
		List<Creation> creations = new ArrayList<>(tasks.size());
		for (int t = 0; t < tasks.size(); t++) {
			List<?> result = (List<?>) results.get(t);
			// What the script stored, without reading it back.
			creations.add("created".equals(result.get(0))
					? new Creation(StoredTask.of(tasks.get(t), TaskStatus.SCHEDULED, now).toInfo(this.json), true)
					: new Creation(toInfo(result.get(1)), false));
		}
		return creations;
	}

	@Override
	public Optional<TaskInfo> find(String id) {
		List<Object> result = run(SCRIPTS.find(), id, id);
		return "ok".equals(result.get(0)) ? Optional.of(toInfo(result.get(1))) : Optional.empty();
	}

	@Override
	public TaskPage list(TaskQuery query) {
		List<String> keys = new ArrayList<>();
		List<String> args = new ArrayList<>();
		args.add(Integer.toString(query.limit()));
		args.add((query.cursor() != null) ? Long.toString(query.cursor().createdAtMillis()) : "");
		args.add((query.cursor() != null) ? query.cursor().id() : "");
		args.add((query.name() != null) ? "1" : "0");
		args.add((query.name() != null) ? query.name() : "");
		if (query.statuses().isEmpty()) {
			keys.add(this.base + ((query.name() != null) ? "idx:name:" + query.name() : "idx:all"));
			args.add("");
		}
		for (TaskStatus status : query.statuses()) {
			keys.add(this.base + ((query.name() != null) ? "idx:status-name:" + status.value() + ":" + query.name()
					: "idx:status:" + status.value()));
			args.add(status.value());
		}
		List<Object> result = run(SCRIPTS.list(), keys, args.toArray(String[]::new));
		List<TaskInfo> items = new ArrayList<>(result.size() - 1);
		for (Object task : result.subList(1, result.size())) {
			items.add(toInfo(task));
		}
		boolean more = ((Long) result.get(0)) == 1;
		TaskInfo last = items.isEmpty() ? null : items.get(items.size() - 1);
		return new TaskPage(items, (more && last != null) ? new TaskCursor(last.createdAt().toEpochMilli(), last.id())
				: null);
	}

	@Override
	public TaskCounts counts() {
		// The names key routes the script to the registry's slot on a Redis Cluster.
		List<Object> result = run(SCRIPTS.counts(), List.of(this.base + "names"), ALL_STATUSES);
		Map<TaskStatus, Long> byStatus = countsByStatus(result.get(0));
		List<?> names = (List<?>) result.get(1);
		Map<String, Map<TaskStatus, Long>> byName = new HashMap<>();
		for (int i = 0; i + 1 < names.size(); i += 2) {
			byName.put((String) names.get(i), countsByStatus(names.get(i + 1)));
		}
		return new TaskCounts(byStatus, byName);
	}

	private static Map<TaskStatus, Long> countsByStatus(Object counts) {
		List<?> values = (List<?>) counts;
		Map<TaskStatus, Long> byStatus = new EnumMap<>(TaskStatus.class);
		TaskStatus[] statuses = TaskStatus.values();
		for (int i = 0; i < statuses.length; i++) {
			byStatus.put(statuses[i], (Long) values.get(i));
		}
		return byStatus;
	}

	@Override
	public StartOutcome start(NewTask task, String workerId, Duration lease) {
		return startAll(List.of(task), workerId, lease).get(0);
	}

	/**
	 * Starts the attempts with one script call per {@value #SCRIPT_BATCH} of them.
	 */
	@Override
	public List<StartOutcome> startAll(List<NewTask> tasks, String workerId, Duration lease) {
		tasks.forEach(this::requireJson);
		Assert.notNull(workerId, "'workerId' must not be null");
		requirePositive(lease);
		return inScriptBatches(tasks, (batch) -> startBatch(batch, workerId, lease));
	}

	private List<StartOutcome> startBatch(List<NewTask> tasks, String workerId, Duration lease) {
		long now = this.clock.millis();
		String[] args = new String[4 + 7 * tasks.size()];
		args[0] = STARTABLE;
		args[1] = CANCELABLE;
		args[2] = workerId;
		args[3] = Long.toString(now + lease.toMillis());
		int a = 4;
		for (NewTask task : tasks) {
			args[a++] = task.id();
			args[a++] = task.name();
			args[a++] = task.argsJson();
			args[a++] = task.kwargsJson();
			args[a++] = Integer.toString(task.maxRetries());
			args[a++] = Integer.toString(task.attempts());
			args[a++] = Integer.toString(task.replay());
		}
		List<StartOutcome> outcomes = new ArrayList<>(tasks.size());
		for (Object started : run(SCRIPTS.start(), keysOf(tasks.stream().map(NewTask::id).toList()), now, args)) {
			List<?> result = (List<?>) started;
			Decision decision = Decision.valueOf(((String) result.get(0)).toUpperCase(Locale.ROOT));
			outcomes.add(new StartOutcome(decision, status((String) result.get(1)), ((Long) result.get(2)).intValue()));
		}
		return outcomes;
	}

	@Override
	public void renewLeases(Collection<String> ids, String workerId, Duration lease) {
		Assert.notNull(workerId, "'workerId' must not be null");
		requirePositive(lease);
		List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
		if (distinct.isEmpty()) {
			return;
		}
		long now = this.clock.millis();
		String[] args = new String[2 + distinct.size()];
		args[0] = workerId;
		args[1] = Long.toString(now + lease.toMillis());
		for (int i = 0; i < distinct.size(); i++) {
			args[2 + i] = distinct.get(i);
		}
		run(SCRIPTS.renewLeases(), distinct.stream().map(this::taskKey).toList(), now, args);
	}

	@Override
	public void retry(String id, TaskError error) {
		Assert.notNull(error, "'error' must not be null");
		transition(id, TaskStatus.RETRYING, TaskTransitions.sourcesOf(TaskStatus.RETRYING), StoredTask.ERROR,
				StoredTask.errorJson(this.json, error));
	}

	@Override
	public void requeue(String id) {
		transition(id, TaskStatus.SCHEDULED, StoredTask.REQUEUED_FROM);
	}

	@Override
	public TaskInfo replay(String id) {
		long now = this.clock.millis();
		String entry = StoredTask.logEntry(this.json, now, StoredTask.REPLAYED_MESSAGE);
		List<Object> result = run(SCRIPTS.replay(), List.of(taskKey(id), logKey(id)), now, REPLAYABLE, id, entry,
				Integer.toString(StoredTask.EVENT_LOG_CAP));
		check(id, TaskStatus.SCHEDULED, result);
		return toInfo(result.get(1));
	}

	@Override
	public void finish(String id, String resultJson) {
		finishAll(List.of(new TaskResult(id, resultJson))).get(0).orThrow();
	}

	/**
	 * Finishes the tasks with one script call per {@value #SCRIPT_BATCH} of them.
	 */
	@Override
	public List<ChangeOutcome> finishAll(List<TaskResult> results) {
		results.forEach((result) -> StoredTask.requireJson(this.json, result.resultJson(), "The result"));
		// The error of an earlier, retried attempt does not describe a finished task.
		return inScriptBatches(results,
				(batch) -> transitionAll(batch.stream().map(TaskResult::id).toList(), TaskStatus.FINISHED,
						TaskTransitions.sourcesOf(TaskStatus.FINISHED), StoredTask.LEASE_UNTIL + "," + StoredTask.ERROR,
						List.of(StoredTask.RESULT), batch.stream().map((result) -> List.of(result.resultJson())).toList()));
	}

	@Override
	public void fail(String id, TaskError error) {
		Assert.notNull(error, "'error' must not be null");
		transition(id, TaskStatus.ERRORED, TaskTransitions.sourcesOf(TaskStatus.ERRORED), StoredTask.ERROR,
				StoredTask.errorJson(this.json, error));
	}

	@Override
	public void markCanceled(String id) {
		transition(id, TaskStatus.CANCELED, StoredTask.STOPPED_BY_WORKER);
	}

	/**
	 * Changes the state of a task, storing the given fields. Every change made here ends the
	 * running attempt (or comes before any), so it also removes the lease.
	 */
	private void transition(String id, TaskStatus to, Set<TaskStatus> sources, String... fieldsAndValues) {
		List<String> fields = new ArrayList<>();
		List<String> values = new ArrayList<>();
		for (int i = 0; i + 1 < fieldsAndValues.length; i += 2) {
			fields.add(fieldsAndValues[i]);
			values.add(fieldsAndValues[i + 1]);
		}
		transitionAll(List.of(id), to, sources, StoredTask.LEASE_UNTIL, fields, List.of(values)).get(0).orThrow();
	}

	/**
	 * Makes the same change to many tasks with one script call, each task with its own values
	 * of the fields stored.
	 */
	private List<ChangeOutcome> transitionAll(List<String> ids, TaskStatus to, Set<TaskStatus> sources,
			String removed, List<String> fields, List<List<String>> values) {
		List<String> args = new ArrayList<>(5 + ids.size() * (1 + fields.size()));
		args.add(to.value());
		args.add(csv(sources));
		args.add(to.isFinal() ? "1" : "0");
		args.add(removed);
		args.add(String.join(",", fields));
		for (int i = 0; i < ids.size(); i++) {
			args.add(ids.get(i));
			args.addAll(values.get(i));
		}
		List<Object> results = run(SCRIPTS.transition(), keysOf(ids), args.toArray(String[]::new));
		List<ChangeOutcome> outcomes = new ArrayList<>(ids.size());
		for (int i = 0; i < ids.size(); i++) {
			outcomes.add(outcome(ids.get(i), to, (List<?>) results.get(i)));
		}
		return outcomes;
	}

	private static ChangeOutcome outcome(String id, TaskStatus to, List<?> result) {
		return switch ((String) result.get(0)) {
			case "missing" -> new ChangeOutcome(new TaskNotFoundException(id));
			case "illegal" -> new ChangeOutcome(new IllegalTaskStateChangeException(id, status((String) result.get(1)), to));
			default -> ChangeOutcome.STORED;
		};
	}

	@Override
	public TaskInfo requestCancel(String id) {
		List<Object> result = run(SCRIPTS.requestCancel(), id, CANCELED_AT_ONCE, CANCEL_FLAGGED,
				this.cancelTopic.getTopic(), id);
		check(id, TaskStatus.CANCELED, result);
		return toInfo(result.get(1));
	}

	@Override
	public void log(String id, String message) {
		Assert.notNull(message, "'message' must not be null");
		long now = this.clock.millis();
		String entry = StoredTask.logEntry(this.json, now, message);
		requireFound(id, run(SCRIPTS.log(), List.of(taskKey(id), logKey(id)), now, id, entry,
				Integer.toString(StoredTask.EVENT_LOG_CAP)));
	}

	@Override
	public void progress(String id, double fraction) {
		StoredTask.requireFraction(fraction);
		check(id, TaskStatus.RUNNING, run(SCRIPTS.progress(), id, id, PROGRESS_ALLOWED, Double.toString(fraction)));
	}

	@Override
	public Set<String> cancelRequested(Collection<String> ids) {
		List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
		if (distinct.isEmpty()) {
			return Set.of();
		}
		List<String> keys = distinct.stream().map(this::taskKey).toList();
		List<Object> requested = run(SCRIPTS.cancelRequested(), keys, distinct.toArray(String[]::new));
		return requested.stream().map(String.class::cast).collect(Collectors.toUnmodifiableSet());
	}

	@Override
	public CompletableFuture<TaskInfo> whenFinal(String id) {
		return this.finalStates.whenFinal(id);
	}

	@Override
	public AutoCloseable onCancelRequested(Consumer<String> listener) {
		Assert.notNull(listener, "'listener' must not be null");
		MessageListener messageListener = (message, pattern) -> listener
			.accept(new String(message.getBody(), StandardCharsets.UTF_8));
		this.listeners.addMessageListener(messageListener, this.cancelTopic);
		return () -> this.listeners.removeMessageListener(messageListener, this.cancelTopic);
	}

	/**
	 * Stops the periodic check behind {@link #whenFinal(String)} and cancels the futures still
	 * waiting.
	 */
	@Override
	public void close() {
		this.finalStates.close();
	}

	private List<String> statuses(List<String> ids) {
		byte[] field = StoredTask.STATUS.getBytes(StandardCharsets.UTF_8);
		List<Object> statuses = this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
			for (String id : ids) {
				connection.hashCommands().hGet(taskKey(id).getBytes(StandardCharsets.UTF_8), field);
			}
			return null;
		});
		return statuses.stream().map(String.class::cast).toList();
	}

	private List<Object> run(RedisScript<List<Object>> script, String id, String... args) {
		return run(script, List.of(taskKey(id), logKey(id)), args);
	}

	private List<Object> run(RedisScript<List<Object>> script, List<String> keys, String... args) {
		return run(script, keys, this.clock.millis(), args);
	}

	private List<Object> run(RedisScript<List<Object>> script, List<String> keys, long now, String... args) {
		Object[] argv = new Object[3 + args.length];
		argv[0] = this.base;
		argv[1] = Long.toString(now);
		argv[2] = this.ttlMillis;
		System.arraycopy(args, 0, argv, 3, args.length);
		return this.redis.execute(script, keys, argv);
	}

	private void check(String id, TaskStatus to, List<Object> result) {
		outcome(id, to, result).orThrow();
	}

	private void requireFound(String id, List<Object> result) {
		if ("missing".equals(result.get(0))) {
			throw new TaskNotFoundException(id);
		}
	}

	private TaskInfo toInfo(Object stored) {
		List<?> parts = (List<?>) stored;
		List<?> fields = (List<?>) parts.get(0);
		Map<String, String> hash = new HashMap<>();
		for (int i = 0; i + 1 < fields.size(); i += 2) {
			hash.put((String) fields.get(i), (String) fields.get(i + 1));
		}
		List<String> log = ((List<?>) parts.get(1)).stream().map(String.class::cast).toList();
		return StoredTask.fromHash(hash, log, this.json).toInfo(this.json);
	}

	private void requireJson(NewTask task) {
		StoredTask.requireJson(this.json, task.argsJson(), "The arguments");
		StoredTask.requireJson(this.json, task.kwargsJson(), "The named arguments");
	}

	/** Applies a script call to the items, {@value #SCRIPT_BATCH} at a time, keeping their order. */
	private static <T, R> List<R> inScriptBatches(List<T> items, Function<List<T>, List<R>> call) {
		List<R> results = new ArrayList<>(items.size());
		for (int from = 0; from < items.size(); from += SCRIPT_BATCH) {
			results.addAll(call.apply(items.subList(from, Math.min(items.size(), from + SCRIPT_BATCH))));
		}
		return results;
	}

	/** The keys of a multi-task script: each task's key and log key, in pairs. */
	private List<String> keysOf(List<String> ids) {
		List<String> keys = new ArrayList<>(2 * ids.size());
		for (String id : ids) {
			keys.add(taskKey(id));
			keys.add(logKey(id));
		}
		return keys;
	}

	private String taskKey(String id) {
		return this.base + "task:" + id;
	}

	private String logKey(String id) {
		return this.base + "log:" + id;
	}

	private static void requirePositive(Duration lease) {
		Assert.isTrue(lease != null && lease.toMillis() > 0, "'lease' must be positive");
	}

	private static TaskStatus status(String value) {
		return TaskStatus.fromValue(value)
			.orElseThrow(() -> new IllegalStateException("Unknown task status '" + value + "' in Redis"));
	}

	private static String csv(Set<TaskStatus> statuses) {
		return statuses.stream().map(TaskStatus::value).collect(Collectors.joining(","));
	}

}
