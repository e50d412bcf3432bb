package dev.amqptasks.registry;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
import dev.amqptasks.spi.AttemptLostException;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskCursor;
import dev.amqptasks.spi.TaskPage;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.TaskTransitions;
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

	private static final String CANCELED_AT_ONCE = csv(TaskTransitions.CANCELED_AT_ONCE);

	private static final String CANCEL_FLAGGED = csv(TaskTransitions.CANCEL_FLAGGED);

	private static final String REPLAYABLE = csv(TaskTransitions.REPLAYED_FROM);

	private static final String ALL_STATUSES = csv(EnumSet.allOf(TaskStatus.class));

	private static final RedisTaskScripts SCRIPTS = RedisTaskScripts.load();

	private final StringRedisTemplate redis;

	private final RedisMessageListenerContainer listeners;

	private final JsonMapper json;

	private final String base;

	private final long ttlMillis;

	private final long erroredTtlMillis;

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
		this(redis, listeners, json, keyPrefix, ttl, ttl, clock);
	}

	/**
	 * Creates a registry that keeps errored tasks longer than others.
	 * @param redis the Redis client
	 * @param listeners a started listener container for the notifications
	 * @param json the mapper for arguments, results and errors
	 * @param keyPrefix the prefix of every key and channel (without braces)
	 * @param ttl how long a task is kept after its last change
	 * @param erroredTtl how long an errored task is kept at least: as long as its dead letter
	 * @param clock the clock for timestamps
	 */
	public RedisTaskRegistry(StringRedisTemplate redis, RedisMessageListenerContainer listeners, JsonMapper json,
			String keyPrefix, Duration ttl, Duration erroredTtl, Clock clock) {
		this(redis, listeners, json, keyPrefix, ttl, erroredTtl, clock, FINAL_STATE_CHECK_INTERVAL);
	}

	RedisTaskRegistry(StringRedisTemplate redis, RedisMessageListenerContainer listeners, JsonMapper json,
			String keyPrefix, Duration ttl, Duration erroredTtl, Clock clock, Duration finalStateCheckInterval) {
		Assert.notNull(redis, "'redis' must not be null");
		Assert.notNull(listeners, "'listeners' must not be null");
		Assert.notNull(json, "'json' must not be null");
		Assert.hasText(keyPrefix, "'keyPrefix' must not be empty");
		Assert.isTrue(keyPrefix.indexOf('{') < 0 && keyPrefix.indexOf('}') < 0,
				"'keyPrefix' must not contain braces, it becomes the keys' hash tag");
		Assert.isTrue(ttl != null && ttl.toMillis() > 0, "'ttl' must be positive");
		Assert.isTrue(erroredTtl != null && erroredTtl.toMillis() > 0, "'erroredTtl' must be positive");
		Assert.notNull(clock, "'clock' must not be null");
		this.redis = redis;
		this.listeners = listeners;
		this.json = json;
		this.base = "{" + keyPrefix + "}:";
		this.ttlMillis = ttl.toMillis();
		this.erroredTtlMillis = Math.max(ttl.toMillis(), erroredTtl.toMillis());
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
		long now = this.clock.millis();
		String[] args = new String[6 * tasks.size()];
		int a = 0;
		for (NewTask task : tasks) {
			args[a++] = task.id();
			args[a++] = task.name();
			args[a++] = task.argsJson();
			args[a++] = task.kwargsJson();
			args[a++] = Integer.toString(task.maxRetries());
			args[a++] = Long.toString(keepWaiting(task, now));
		}
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

	/** How long to keep a new task: until its delay has passed, plus the time to live. */
	private long keepWaiting(NewTask task, long now) {
		long wait = (task.notBefore() != null) ? Math.max(0, task.notBefore().toEpochMilli() - now) : 0;
		return wait + this.ttlMillis;
	}

	@Override
	public StartOutcome start(StartRequest request, String workerId, Duration lease) {
		return startAll(List.of(request), workerId, lease).get(0);
	}

	/**
	 * Starts the attempts with one script call per {@value #SCRIPT_BATCH} of them.
	 */
	@Override
	public List<StartOutcome> startAll(List<StartRequest> requests, String workerId, Duration lease) {
		requests.forEach((request) -> requireJson(request.task()));
		Assert.notNull(workerId, "'workerId' must not be null");
		requirePositive(lease);
		return inScriptBatches(requests, (batch) -> startBatch(batch, workerId, lease));
	}

	private List<StartOutcome> startBatch(List<StartRequest> requests, String workerId, Duration lease) {
		long now = this.clock.millis();
		String[] args = new String[6 + 9 * requests.size()];
		args[0] = STARTABLE;
		args[1] = CANCELABLE;
		args[2] = workerId;
		args[3] = Long.toString(now + lease.toMillis());
		args[4] = StoredTask.errorJson(this.json, StoredTask.EXPIRED_ERROR);
		args[5] = Long.toString(this.erroredTtlMillis);
		int a = 6;
		for (StartRequest request : requests) {
			NewTask task = request.task();
			args[a++] = task.id();
			args[a++] = task.name();
			args[a++] = task.argsJson();
			args[a++] = task.kwargsJson();
			args[a++] = Integer.toString(task.maxRetries());
			args[a++] = Integer.toString(task.attempts());
			args[a++] = Integer.toString(task.replay());
			args[a++] = request.token();
			Instant recreateUntil = StoredTask.recreateUntil(task, this.ttlMillis);
			args[a++] = (recreateUntil != null) ? Long.toString(recreateUntil.toEpochMilli()) : "";
		}
		List<String> ids = requests.stream().map((request) -> request.task().id()).toList();
		List<StartOutcome> outcomes = new ArrayList<>(requests.size());
		for (Object started : run(SCRIPTS.start(), keysOf(ids), now, args)) {
			List<?> result = (List<?>) started;
			Decision decision = Decision.valueOf(((String) result.get(0)).toUpperCase(Locale.ROOT));
			outcomes.add(new StartOutcome(decision, status((String) result.get(1)), ((Long) result.get(2)).intValue(),
					Duration.ofMillis((Long) result.get(3))));
		}
		return outcomes;
	}

	@Override
	public Set<String> renewLeases(Map<String, String> tokens, Duration lease) {
		requirePositive(lease);
		if (tokens.isEmpty()) {
			return Set.of();
		}
		long now = this.clock.millis();
		List<String> keys = new ArrayList<>(tokens.size());
		String[] args = new String[1 + 2 * tokens.size()];
		args[0] = Long.toString(now + lease.toMillis());
		int a = 1;
		for (Map.Entry<String, String> entry : tokens.entrySet()) {
			keys.add(taskKey(entry.getKey()));
			args[a++] = entry.getKey();
			args[a++] = entry.getValue();
		}
		List<Object> lost = run(SCRIPTS.renewLeases(), keys, now, args);
		return lost.stream().map(String.class::cast).collect(Collectors.toUnmodifiableSet());
	}

	@Override
	public void retry(String id, String token, TaskError error, Duration delay) {
		Assert.notNull(delay, "'delay' must not be null");
		endAttemptWithError(id, token, TaskStatus.RETRYING, error, delay.toMillis() + this.ttlMillis);
	}

	@Override
	public TaskStatus requeue(String id, String token) {
		requireToken(token);
		return transitionAll(List.of(id), List.of(token), TaskStatus.SCHEDULED, TaskTransitions.REQUEUED_FROM, true,
				this.ttlMillis, List.of(), List.of(List.of()))
			.get(0)
			.orThrow();
	}

	@Override
	public TaskInfo replay(String id, String token) {
		requireToken(token);
		long now = this.clock.millis();
		String entry = StoredTask.logEntry(this.json, now, StoredTask.REPLAYED_MESSAGE);
		List<Object> result = run(SCRIPTS.replay(), List.of(taskKey(id), logKey(id)), now, REPLAYABLE, id, entry,
				Integer.toString(StoredTask.EVENT_LOG_CAP), token);
		check(id, TaskStatus.SCHEDULED, result);
		return toInfo(result.get(1));
	}

	@Override
	public void finish(String id, String token, String resultJson) {
		finishAll(List.of(new TaskResult(id, token, resultJson))).get(0).orThrow();
	}

	/**
	 * Finishes the tasks with one script call per {@value #SCRIPT_BATCH} of them.
	 */
	@Override
	public List<ChangeOutcome> finishAll(List<TaskResult> results) {
		results.forEach((result) -> {
			StoredTask.requireJson(this.json, result.resultJson(), "The result");
			requireToken(result.token());
		});
		// The error of an earlier, retried attempt does not describe a finished task.
		return inScriptBatches(results,
				(batch) -> transitionAll(batch.stream().map(TaskResult::id).toList(),
						batch.stream().map(TaskResult::token).toList(), TaskStatus.FINISHED,
						TaskTransitions.sourcesOf(TaskStatus.FINISHED), false, this.ttlMillis,
						List.of(StoredTask.RESULT), batch.stream().map((result) -> List.of(result.resultJson())).toList()));
	}

	@Override
	public void fail(String id, String token, TaskError error) {
		endAttemptWithError(id, token, TaskStatus.ERRORED, error, this.erroredTtlMillis);
	}

	/**
	 * Ends the running attempt in {@code retrying} or {@code errored}, storing its error.
	 */
	private void endAttemptWithError(String id, String token, TaskStatus to, TaskError error, long keepMillis) {
		Assert.notNull(error, "'error' must not be null");
		transition(id, token, to, TaskTransitions.sourcesOf(to), keepMillis, StoredTask.ERROR,
				StoredTask.errorJson(this.json, error));
	}

	@Override
	public void markCanceled(String id, String token) {
		requireToken(token);
		transition(id, token, TaskStatus.CANCELED, TaskTransitions.STOPPED_BY_WORKER, this.ttlMillis);
	}

	/**
	 * Changes the state of a task, storing the given fields.
	 */
	private void transition(String id, String token, TaskStatus to, Set<TaskStatus> sources, long keepMillis,
			String... fieldAndValue) {
		List<String> fields = (fieldAndValue.length > 0) ? List.of(fieldAndValue[0]) : List.of();
		List<String> values = (fieldAndValue.length > 0) ? List.of(fieldAndValue[1]) : List.of();
		transitionAll(List.of(id), Collections.singletonList(token), to, sources, false, keepMillis, fields,
				List.of(values))
			.get(0)
			.orThrow();
	}

	/**
	 * Makes the same change to many tasks with one script call, each task with its own values
	 * of the fields stored. Every change made here ends the running attempt (or comes before
	 * any), so it also removes the lease and its token.
	 */
	private List<ChangeOutcome> transitionAll(List<String> ids, List<String> tokens, TaskStatus to,
			Set<TaskStatus> sources, boolean cancelWins, long keepMillis, List<String> fields,
			List<List<String>> values) {
		List<String> args = new ArrayList<>(7 + ids.size() * (2 + fields.size()));
		args.add(to.value());
		args.add(csv(sources));
		args.add(to.isFinal() ? "1" : "0");
		args.add(StoredTask.LEASE_UNTIL + "," + StoredTask.TOKEN
				+ ((to == TaskStatus.FINISHED) ? "," + StoredTask.ERROR : ""));
		args.add(String.join(",", fields));
		args.add(cancelWins ? "1" : "0");
		args.add(Long.toString(keepMillis));
		for (int i = 0; i < ids.size(); i++) {
			args.add(ids.get(i));
			args.add((tokens.get(i) != null) ? tokens.get(i) : "");
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
			case "lost" -> new ChangeOutcome(new AttemptLostException(id, status((String) result.get(1))));
			default -> (result.size() > 1 && result.get(1) instanceof String state) ? new ChangeOutcome(null, status(state))
					: ChangeOutcome.STORED;
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
	public void log(String id, String token, String message) {
		Assert.notNull(message, "'message' must not be null");
		long now = this.clock.millis();
		String entry = StoredTask.logEntry(this.json, now, message);
		check(id, TaskStatus.RUNNING, run(SCRIPTS.log(), List.of(taskKey(id), logKey(id)), now, id, entry,
				Integer.toString(StoredTask.EVENT_LOG_CAP), (token != null) ? token : ""));
	}

	@Override
	public void progress(String id, String token, double fraction) {
		StoredTask.requireFraction(fraction);
		requireToken(token);
		check(id, TaskStatus.RUNNING, run(SCRIPTS.progress(), id, id, token, Double.toString(fraction)));
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
		argv[2] = Long.toString(this.ttlMillis);
		System.arraycopy(args, 0, argv, 3, args.length);
		return this.redis.execute(script, keys, argv);
	}

	private void check(String id, TaskStatus to, List<Object> result) {
		outcome(id, to, result).orThrow();
	}

	private static void requireToken(String token) {
		Assert.hasText(token, "'token' must not be empty");
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
