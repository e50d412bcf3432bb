package dev.amqptasks.registry;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.AttemptLostException;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskCursor;
import dev.amqptasks.spi.TaskPage;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskRegistry.ChangeOutcome;
import dev.amqptasks.spi.TaskRegistry.Creation;
import dev.amqptasks.spi.TaskRegistry.Decision;
import dev.amqptasks.spi.TaskRegistry.StartOutcome;
import dev.amqptasks.spi.TaskRegistry.StartRequest;
import dev.amqptasks.spi.TaskTransitions;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Redis side of {@link RedisTaskRegistry}: its keys, and the arguments and replies of
 * its scripts. The registry checks its input, batches calls and owns the notifications;
 * this class only turns each call into a script call and its reply into values.
 */
final class RedisTaskStore {

	private static final String STARTABLE = csv(TaskTransitions.sourcesOf(TaskStatus.RUNNING));

	private static final String CANCELABLE = csv(TaskTransitions.sourcesOf(TaskStatus.CANCELED));

	private static final String CANCELED_AT_ONCE = csv(TaskTransitions.CANCELED_AT_ONCE);

	private static final String CANCEL_FLAGGED = csv(TaskTransitions.CANCEL_FLAGGED);

	private static final String REPLAYABLE = csv(TaskTransitions.REPLAYED_FROM);

	private static final String ALL_STATUSES = csv(EnumSet.allOf(TaskStatus.class));

	private static final RedisTaskScripts SCRIPTS = RedisTaskScripts.load();

	private final StringRedisTemplate redis;

	private final JsonMapper json;

	private final String base;

	private final long ttlMillis;

	private final long erroredTtlMillis;

	private final Clock clock;

	RedisTaskStore(StringRedisTemplate redis, JsonMapper json, String base, long ttlMillis, long erroredTtlMillis,
			Clock clock) {
		this.redis = redis;
		this.json = json;
		this.base = base;
		this.ttlMillis = ttlMillis;
		this.erroredTtlMillis = erroredTtlMillis;
		this.clock = clock;
	}

	/** The channel on which cancellation requests for running tasks are announced. */
	String cancelChannel() {
		return this.base + "cancel";
	}

	/** The channel on which a task entering a final state is announced. */
	String finalChannel(String id) {
		return this.base + "final:" + id;
	}

	/**
	 * The ids of the given tasks whose lease the tokens no longer hold; renews the
	 * others.
	 */
	Set<String> renewLeases(Map<String, String> tokens, Duration lease) {
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

	TaskInfo replay(String id, String token) {
		long now = this.clock.millis();
		String entry = StoredTask.logEntry(this.json, now, StoredTask.REPLAYED_MESSAGE);
		List<Object> result = run(SCRIPTS.replay(), List.of(taskKey(id), logKey(id)), now, REPLAYABLE, id, entry,
				Integer.toString(StoredTask.EVENT_LOG_CAP), token);
		check(id, TaskStatus.SCHEDULED, result);
		return toInfo(result.get(1));
	}

	void log(String id, String token, String message) {
		long now = this.clock.millis();
		String entry = StoredTask.logEntry(this.json, now, message);
		check(id, TaskStatus.RUNNING, run(SCRIPTS.log(), List.of(taskKey(id), logKey(id)), now, id, entry,
				Integer.toString(StoredTask.EVENT_LOG_CAP), (token != null) ? token : ""));
	}

	void progress(String id, String token, double fraction) {
		check(id, TaskStatus.RUNNING, run(SCRIPTS.progress(), id, id, token, Double.toString(fraction)));
	}

	Set<String> cancelRequested(List<String> ids) {
		List<String> keys = ids.stream().map(this::taskKey).toList();
		List<Object> requested = run(SCRIPTS.cancelRequested(), keys, ids.toArray(String[]::new));
		return requested.stream().map(String.class::cast).collect(Collectors.toUnmodifiableSet());
	}

	List<Creation> create(List<NewTask> tasks) {
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

	List<StartOutcome> start(List<StartRequest> requests, String workerId, Duration lease) {
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

	/**
	 * Makes the same change to many tasks with one script call, each task with its own
	 * values of the fields stored. Every change made here ends the running attempt (or
	 * comes before any), so it also removes the lease and its token.
	 */
	List<ChangeOutcome> transitionAll(List<String> ids, List<String> tokens, TaskStatus to, Set<TaskStatus> sources,
			boolean cancelWins, long keepMillis, List<String> fields, List<List<String>> values) {
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
			case "illegal" ->
				new ChangeOutcome(new IllegalTaskStateChangeException(id, status((String) result.get(1)), to));
			case "lost" -> new ChangeOutcome(new AttemptLostException(id, status((String) result.get(1))));
			default -> (result.size() > 1 && result.get(1) instanceof String state)
					? new ChangeOutcome(null, status(state)) : ChangeOutcome.STORED;
		};
	}

	List<String> statuses(List<String> ids) {
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

	private static TaskStatus status(String value) {
		return TaskStatus.fromValue(value)
			.orElseThrow(() -> new IllegalStateException("Unknown task status '" + value + "' in Redis"));
	}

	private static String csv(Set<TaskStatus> statuses) {
		return statuses.stream().map(TaskStatus::value).collect(Collectors.joining(","));
	}

	Optional<TaskInfo> find(String id) {
		List<Object> result = run(SCRIPTS.find(), id, id);
		return "ok".equals(result.get(0)) ? Optional.of(toInfo(result.get(1))) : Optional.empty();
	}

	TaskPage list(TaskQuery query) {
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
		return new TaskPage(items,
				(more && last != null) ? new TaskCursor(last.createdAt().toEpochMilli(), last.id()) : null);
	}

	TaskCounts counts() {
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

	TaskInfo requestCancel(String id) {
		List<Object> result = run(SCRIPTS.requestCancel(), id, CANCELED_AT_ONCE, CANCEL_FLAGGED, cancelChannel(), id);
		check(id, TaskStatus.CANCELED, result);
		return toInfo(result.get(1));
	}

}
