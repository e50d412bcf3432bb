package dev.amqptasks.registry;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskPage;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.TaskTransitions;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.Assert;

/**
 * A {@link TaskRegistry} in Redis, shared by every process. Each operation is one Lua
 * script, so that every change is checked and applied atomically, and every key it writes
 * gets the time to live again.
 * <p>
 * Keys share the hash tag {@code {<keyPrefix>}} so that the scripts also work on a Redis
 * Cluster:
 * <ul>
 * <li>{@code {<keyPrefix>}:task:<id>}: the task (a hash);</li>
 * <li>{@code {<keyPrefix>}:log:<id>}: its event log (a list of JSON entries {@code {"at":
 * <epoch ms>, "message": ...}}, the newest {@value StoredTask#EVENT_LOG_CAP} kept);</li>
 * <li>{@code {<keyPrefix>}:idx:all}, {@code {<keyPrefix>}:idx:status:<status>},
 * {@code {<keyPrefix>}:idx:name:<name>} and
 * {@code {<keyPrefix>}:idx:status-name:<status>:<name>}: the indexes that listings read
 * (sorted sets of ids scored by creation time);</li>
 * <li>{@code {<keyPrefix>}:names}: the task names in use (a sorted set scored by when a
 * task of the name was last stored), so that {@link #counts()} finds the per-name indexes
 * without scanning keys.</li>
 * </ul>
 * A task entering a final state is announced on {@code {<keyPrefix>}:final:<id>};
 * cancellation requests for running tasks on {@code {<keyPrefix>}:cancel} (the message is
 * the task id).
 */
public final class RedisTaskRegistry implements TaskRegistry, AutoCloseable {

	private static final Duration FINAL_STATE_CHECK_INTERVAL = Duration.ofSeconds(3);

	/** Tasks changed by one script call: bounds how long one call holds Redis. */
	private static final int SCRIPT_BATCH = 100;

	private final RedisMessageListenerContainer listeners;

	private final JsonMapper json;

	private final long ttlMillis;

	private final long erroredTtlMillis;

	private final ChannelTopic cancelTopic;

	private final FinalStateWatches finalStates;

	private final RedisTaskStore store;

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
	 * @param erroredTtl how long an errored task is kept at least: as long as its dead
	 * letter
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
		this.listeners = listeners;
		this.json = json;
		this.ttlMillis = ttl.toMillis();
		this.erroredTtlMillis = Math.max(ttl.toMillis(), erroredTtl.toMillis());
		this.store = new RedisTaskStore(redis, json, "{" + keyPrefix + "}:", this.ttlMillis, this.erroredTtlMillis,
				clock);
		this.cancelTopic = new ChannelTopic(this.store.cancelChannel());
		// The scripts publish final notices on the same channel names.
		this.finalStates = new FinalStateWatches(listeners, this.store::finalChannel, this::find, this.store::statuses,
				finalStateCheckInterval);
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
		return inScriptBatches(tasks, this.store::create);
	}

	@Override
	public Optional<TaskInfo> find(String id) {
		return this.store.find(id);
	}

	@Override
	public TaskPage list(TaskQuery query) {
		return this.store.list(query);
	}

	@Override
	public TaskCounts counts() {
		return this.store.counts();
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
		return inScriptBatches(requests, (batch) -> this.store.start(batch, workerId, lease));
	}

	@Override
	public Set<String> renewLeases(Map<String, String> tokens, Duration lease) {
		requirePositive(lease);
		if (tokens.isEmpty()) {
			return Set.of();
		}
		return this.store.renewLeases(tokens, lease);
	}

	@Override
	public void retry(String id, String token, TaskError error, Duration delay) {
		Assert.notNull(delay, "'delay' must not be null");
		endAttemptWithError(id, token, TaskStatus.RETRYING, error, delay.toMillis() + this.ttlMillis);
	}

	@Override
	public TaskStatus requeue(String id, String token) {
		requireToken(token);
		return this.store
			.transitionAll(List.of(id), List.of(token), TaskStatus.SCHEDULED, TaskTransitions.REQUEUED_FROM, true,
					this.ttlMillis, List.of(), List.of(List.of()))
			.get(0)
			.orThrow();
	}

	@Override
	public TaskInfo replay(String id, String token) {
		requireToken(token);
		return this.store.replay(id, token);
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
		return inScriptBatches(results, (batch) -> this.store.transitionAll(batch.stream().map(TaskResult::id).toList(),
				batch.stream().map(TaskResult::token).toList(), TaskStatus.FINISHED,
				TaskTransitions.sourcesOf(TaskStatus.FINISHED), false, this.ttlMillis, List.of(StoredTask.RESULT),
				batch.stream().map((result) -> List.of(result.resultJson())).toList()));
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
		this.store
			.transitionAll(List.of(id), Collections.singletonList(token), to, sources, false, keepMillis, fields,
					List.of(values))
			.get(0)
			.orThrow();
	}

	@Override
	public TaskInfo requestCancel(String id) {
		return this.store.requestCancel(id);
	}

	@Override
	public void log(String id, String token, String message) {
		Assert.notNull(message, "'message' must not be null");
		this.store.log(id, token, message);
	}

	@Override
	public void progress(String id, String token, double fraction) {
		StoredTask.requireFraction(fraction);
		requireToken(token);
		this.store.progress(id, token, fraction);
	}

	@Override
	public Set<String> cancelRequested(Collection<String> ids) {
		List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
		if (distinct.isEmpty()) {
			return Set.of();
		}
		return this.store.cancelRequested(distinct);
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
	 * Stops the periodic check behind {@link #whenFinal(String)} and cancels the futures
	 * still waiting.
	 */
	@Override
	public void close() {
		this.finalStates.close();
	}

	private static void requireToken(String token) {
		Assert.hasText(token, "'token' must not be empty");
	}

	private void requireJson(NewTask task) {
		StoredTask.requireJson(this.json, task.argsJson(), "The arguments");
		StoredTask.requireJson(this.json, task.kwargsJson(), "The named arguments");
	}

	/**
	 * Applies a script call to the items, {@value #SCRIPT_BATCH} at a time, keeping their
	 * order.
	 */
	private static <T, R> List<R> inScriptBatches(List<T> items, Function<List<T>, List<R>> call) {
		List<R> results = new ArrayList<>(items.size());
		for (int from = 0; from < items.size(); from += SCRIPT_BATCH) {
			results.addAll(call.apply(items.subList(from, Math.min(items.size(), from + SCRIPT_BATCH))));
		}
		return results;
	}

	private static void requirePositive(Duration lease) {
		Assert.isTrue(lease != null && lease.toMillis() > 0, "'lease' must be positive");
	}

}
