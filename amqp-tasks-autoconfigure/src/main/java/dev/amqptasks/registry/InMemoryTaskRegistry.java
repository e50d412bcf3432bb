package dev.amqptasks.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskEvent;
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

import org.springframework.util.Assert;

/**
 * A {@link TaskRegistry} in this process's memory, for development and tests: it behaves as
 * {@link RedisTaskRegistry} does (same state changes, order, paging and expiry) but is not
 * shared with other processes.
 */
public final class InMemoryTaskRegistry implements TaskRegistry {

	private static final long PURGE_INTERVAL_MILLIS = 1000;

	private static final long NEVER = Long.MIN_VALUE;

	private static final Comparator<String> ID_ORDER = InMemoryTaskRegistry::compareCodePoints;

	private static final Comparator<Stamp> NEWEST_FIRST = Comparator.comparingLong(Stamp::millis)
		.reversed()
		.thenComparing(Stamp::id, ID_ORDER.reversed());

	private static final Comparator<Stamp> OLDEST_FIRST = Comparator.comparingLong(Stamp::millis)
		.thenComparing(Stamp::id);

	private final JsonMapper json;

	private final long ttlMillis;

	private final long erroredTtlMillis;

	private final Clock clock;

	private final Object lock = new Object();

	private final Map<String, StoredTask> tasks = new HashMap<>();

	private final Map<IndexKey, NavigableSet<Stamp>> indexes = new HashMap<>();

	/** Every task by the time it expires, soonest first. */
	private final NavigableSet<Stamp> expiries = new TreeSet<>(OLDEST_FIRST);

	private final Map<String, List<CompletableFuture<TaskInfo>>> waiting = new HashMap<>();

	private final List<Consumer<String>> cancelListeners = new CopyOnWriteArrayList<>();

	private long lastPurge = NEVER;

	/**
	 * Creates a registry.
	 * @param json the mapper for arguments, results and errors
	 * @param ttl how long a task is kept after its last change
	 * @param clock the clock for timestamps and expiry
	 */
	public InMemoryTaskRegistry(JsonMapper json, Duration ttl, Clock clock) {
		this(json, ttl, ttl, clock);
	}

	/**
	 * Creates a registry that keeps errored tasks longer than others.
	 * @param json the mapper for arguments, results and errors
	 * @param ttl how long a task is kept after its last change
	 * @param erroredTtl how long an errored task is kept at least: as long as its dead letter
	 * @param clock the clock for timestamps and expiry
	 */
	public InMemoryTaskRegistry(JsonMapper json, Duration ttl, Duration erroredTtl, Clock clock) {
		Assert.notNull(json, "'json' must not be null");
		Assert.isTrue(ttl != null && ttl.toMillis() > 0, "'ttl' must be positive");
		Assert.isTrue(erroredTtl != null && erroredTtl.toMillis() > 0, "'erroredTtl' must be positive");
		Assert.notNull(clock, "'clock' must not be null");
		this.json = json;
		this.ttlMillis = ttl.toMillis();
		this.erroredTtlMillis = Math.max(this.ttlMillis, erroredTtl.toMillis());
		this.clock = clock;
	}

	@Override
	public Creation create(NewTask task) {
		requireJson(task);
		return change((now, after) -> {
			StoredTask existing = live(task.id(), now, after);
			if (existing != null) {
				return new Creation(existing.toInfo(this.json), false);
			}
			long wait = (task.notBefore() != null) ? Math.max(0, task.notBefore().toEpochMilli() - now) : 0;
			return new Creation(store(StoredTask.of(task, TaskStatus.SCHEDULED, now), now, wait + this.ttlMillis)
				.toInfo(this.json), true);
		});
	}

	@Override
	public Optional<TaskInfo> find(String id) {
		return change((now, after) -> Optional.ofNullable(live(id, now, after)).map((task) -> task.toInfo(this.json)));
	}

	@Override
	public TaskPage list(TaskQuery query) {
		return change((now, after) -> {
			purgeIfDue(now, after);
			List<IndexKey> keys = new ArrayList<>();
			if (query.statuses().isEmpty()) {
				keys.add(new IndexKey(query.name(), null));
			}
			query.statuses().forEach((status) -> keys.add(new IndexKey(query.name(), status)));
			Stamp cursor = (query.cursor() != null)
					? new Stamp(query.cursor().createdAtMillis(), query.cursor().id()) : null;
			List<Stamp> candidates = new ArrayList<>();
			for (IndexKey key : keys) {
				NavigableSet<Stamp> index = this.indexes.getOrDefault(key, Collections.emptyNavigableSet());
				int found = 0;
				for (Stamp stamp : (cursor != null) ? index.tailSet(cursor, false) : index) {
					if (found > query.limit()) {
						break;
					}
					if (!isExpired(this.tasks.get(stamp.id()), now)) {
						candidates.add(stamp);
						found++;
					}
				}
			}
			candidates.sort(NEWEST_FIRST);
			List<TaskInfo> items = candidates.stream()
				.limit(query.limit())
				.map((stamp) -> this.tasks.get(stamp.id()).toInfo(this.json))
				.toList();
			TaskCursor next = null;
			if (candidates.size() > query.limit()) {
				Stamp last = candidates.get(query.limit() - 1);
				next = new TaskCursor(last.millis(), last.id());
			}
			return new TaskPage(items, next);
		});
	}

	@Override
	public TaskCounts counts() {
		return change((now, after) -> {
			purgeIfDue(now, after);
			Map<TaskStatus, Long> byStatus = new EnumMap<>(TaskStatus.class);
			Map<String, Map<TaskStatus, Long>> byName = new HashMap<>();
			// The indexes hold each task once per state and per name and state: their sizes are
			// the counts, as the sizes of the Redis sorted sets are.
			this.indexes.forEach((key, index) -> {
				if (key.status() == null) {
					return;
				}
				if (key.name() == null) {
					byStatus.put(key.status(), (long) index.size());
				}
				else {
					byName.computeIfAbsent(key.name(), (name) -> new EnumMap<>(TaskStatus.class))
						.put(key.status(), (long) index.size());
				}
			});
			return new TaskCounts(byStatus, byName);
		});
	}

	@Override
	public StartOutcome start(StartRequest request, String workerId, Duration lease) {
		NewTask task = request.task();
		requireJson(task);
		Assert.notNull(workerId, "'workerId' must not be null");
		requirePositive(lease);
		return change((now, after) -> {
			long leaseUntil = now + lease.toMillis();
			StoredTask stored = live(task.id(), now, after);
			if (stored == null) {
				Instant recreateUntil = StoredTask.recreateUntil(task, this.ttlMillis);
				if (recreateUntil != null && now >= recreateUntil.toEpochMilli()) {
					// Its entry may have expired as it was meant to, canceled or finished: running
					// the message could undo either. It ends errored, and says why.
					stored = StoredTask.of(task, TaskStatus.ERRORED, now);
					stored.attempts = task.attempts();
					stored.replays = task.replay();
					stored.errorJson = StoredTask.errorJson(this.json, StoredTask.EXPIRED_ERROR);
					stored.finishedAt = now;
					store(stored, now, this.erroredTtlMillis);
					return new StartOutcome(Decision.DEAD_LETTER, TaskStatus.ERRORED, stored.attempts);
				}
				// Lost: the message knows how many attempts ran before, so the count goes on from there.
				stored = StoredTask.of(task, TaskStatus.RUNNING, now);
				stored.attempts = task.attempts() + 1;
				stored.replays = task.replay();
				stored.startedAt = now;
				stored.worker = workerId;
				stored.leaseUntil = leaseUntil;
				stored.token = request.token();
				store(stored, now, this.ttlMillis);
				return new StartOutcome(Decision.RUN, TaskStatus.RUNNING, stored.attempts);
			}
			if (task.replay() < stored.replays) {
				return new StartOutcome(Decision.SKIP, stored.status, stored.attempts);
			}
			if (stored.status == TaskStatus.RUNNING && request.token().equals(stored.token)) {
				// This very delivery started it already: the reply to that call was lost.
				return new StartOutcome(Decision.RUN, stored.status, stored.attempts);
			}
			if (stored.status == TaskStatus.RUNNING && stored.leaseUntil != null && stored.leaseUntil > now) {
				// A live worker holds the attempt: this message is a redelivery, not a dead worker's
				// task. It also stops the task if its cancellation was requested.
				return new StartOutcome(Decision.DEFER, stored.status, stored.attempts,
						Duration.ofMillis(stored.leaseUntil - now));
			}
			if (stored.cancelRequested && TaskTransitions.isAllowed(stored.status, TaskStatus.CANCELED)) {
				endAttempt(stored);
				moveTo(stored, TaskStatus.CANCELED, now, after);
				return new StartOutcome(Decision.SKIP, TaskStatus.CANCELED, stored.attempts);
			}
			if (!TaskTransitions.isAllowed(stored.status, TaskStatus.RUNNING)) {
				return new StartOutcome(Decision.SKIP, stored.status, stored.attempts);
			}
			stored.attempts++;
			stored.startedAt = now;
			stored.worker = workerId;
			stored.leaseUntil = leaseUntil;
			stored.token = request.token();
			stored.progress = null;
			moveTo(stored, TaskStatus.RUNNING, now, after);
			return new StartOutcome(Decision.RUN, TaskStatus.RUNNING, stored.attempts);
		});
	}

	@Override
	public Set<String> renewLeases(Map<String, String> tokens, Duration lease) {
		requirePositive(lease);
		return change((now, after) -> {
			Set<String> lost = new HashSet<>();
			tokens.forEach((id, token) -> {
				StoredTask task = live(id, now, after);
				if (holds(task, token)) {
					task.leaseUntil = now + lease.toMillis();
					touch(task, now, this.ttlMillis);
				}
				else {
					lost.add(id);
				}
			});
			return Set.copyOf(lost);
		});
	}

	private static boolean holds(StoredTask task, String token) {
		return task != null && task.status == TaskStatus.RUNNING && token != null && token.equals(task.token);
	}

	@Override
	public void retry(String id, String token, TaskError error, Duration delay) {
		Assert.notNull(delay, "'delay' must not be null");
		endAttemptWithError(id, token, TaskStatus.RETRYING, error, delay.toMillis() + this.ttlMillis);
	}

	@Override
	public TaskStatus requeue(String id, String token) {
		requireToken(token);
		return change((now, after) -> {
			StoredTask task = require(id, now, after);
			requireHeld(task, token, TaskStatus.SCHEDULED, now);
			TaskStatus to = task.cancelRequested ? TaskStatus.CANCELED : TaskStatus.SCHEDULED;
			endAttempt(task);
			moveTo(task, to, now, after);
			return to;
		});
	}

	@Override
	public TaskInfo replay(String id, String token) {
		requireToken(token);
		return change((now, after) -> {
			StoredTask task = require(id, now, after);
			if (task.status == TaskStatus.SCHEDULED && token.equals(task.replayToken)) {
				return task.toInfo(this.json);
			}
			if (!TaskTransitions.REPLAYED_FROM.contains(task.status)) {
				throw new IllegalTaskStateChangeException(id, task.status, TaskStatus.SCHEDULED);
			}
			task.replays++;
			task.attempts = 0;
			task.resultJson = null;
			task.errorJson = null;
			task.startedAt = null;
			task.finishedAt = null;
			task.worker = null;
			task.progress = null;
			task.cancelRequested = false;
			task.replayToken = token;
			endAttempt(task);
			append(task, now, String.format(StoredTask.REPLAYED_MESSAGE, task.replays));
			moveTo(task, TaskStatus.SCHEDULED, now, after);
			return task.toInfo(this.json);
		});
	}

	@Override
	public void finish(String id, String token, String resultJson) {
		StoredTask.requireJson(this.json, resultJson, "The result");
		requireToken(token);
		transition(id, token, TaskStatus.FINISHED, TaskTransitions.sourcesOf(TaskStatus.FINISHED), this.ttlMillis,
				(task) -> {
					task.resultJson = resultJson;
					// The error of an earlier, retried attempt does not describe a finished task.
					task.errorJson = null;
				});
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
		String errorJson = StoredTask.errorJson(this.json, error);
		transition(id, token, to, TaskTransitions.sourcesOf(to), keepMillis, (task) -> task.errorJson = errorJson);
	}

	@Override
	public void markCanceled(String id, String token) {
		requireToken(token);
		transition(id, token, TaskStatus.CANCELED, TaskTransitions.STOPPED_BY_WORKER, this.ttlMillis, (task) -> {
		});
	}

	/**
	 * Changes the state of a task after the update. Every change made here ends the running
	 * attempt (or comes before any), so it also removes the lease and its token.
	 */
	private void transition(String id, String token, TaskStatus to, Set<TaskStatus> sources, long keepMillis,
			Consumer<StoredTask> update) {
		change((now, after) -> {
			StoredTask task = require(id, now, after);
			requireHeld(task, token, to, now);
			if (!sources.contains(task.status)) {
				throw new IllegalTaskStateChangeException(id, task.status, to);
			}
			update.accept(task);
			endAttempt(task);
			moveTo(task, to, now, after, keepMillis);
			return null;
		});
	}

	/**
	 * Refuses a change by an attempt that no longer holds the task, and a change from outside
	 * any attempt ({@code token == null}) to a task that a live attempt holds.
	 */
	private static void requireHeld(StoredTask task, String token, TaskStatus to, long now) {
		if (token != null && !holds(task, token)) {
			throw new AttemptLostException(task.id, task.status);
		}
		if (token == null && task.status == TaskStatus.RUNNING && task.leaseUntil != null && task.leaseUntil > now) {
			throw new IllegalTaskStateChangeException(task.id, task.status, to);
		}
	}

	private static void endAttempt(StoredTask task) {
		task.leaseUntil = null;
		task.token = null;
	}

	@Override
	public TaskInfo requestCancel(String id) {
		return change((now, after) -> {
			StoredTask task = require(id, now, after);
			if (TaskTransitions.CANCELED_AT_ONCE.contains(task.status)) {
				moveTo(task, TaskStatus.CANCELED, now, after);
			}
			else if (TaskTransitions.CANCEL_FLAGGED.contains(task.status)) {
				task.cancelRequested = true;
				touch(task, now, this.ttlMillis);
				this.cancelListeners.forEach((listener) -> after.add(() -> listener.accept(id)));
			}
			else if (task.status != TaskStatus.CANCELED) {
				throw new IllegalTaskStateChangeException(id, task.status, TaskStatus.CANCELED);
			}
			return task.toInfo(this.json);
		});
	}

	@Override
	public void log(String id, String token, String message) {
		Assert.notNull(message, "'message' must not be null");
		change((now, after) -> {
			StoredTask task = require(id, now, after);
			if (token != null && !holds(task, token)) {
				throw new AttemptLostException(id, task.status);
			}
			append(task, now, message);
			touch(task, now, this.ttlMillis);
			return null;
		});
	}

	@Override
	public void progress(String id, String token, double fraction) {
		StoredTask.requireFraction(fraction);
		requireToken(token);
		change((now, after) -> {
			StoredTask task = require(id, now, after);
			if (!holds(task, token)) {
				throw new AttemptLostException(id, task.status);
			}
			task.progress = fraction;
			touch(task, now, this.ttlMillis);
			return null;
		});
	}

	@Override
	public Set<String> cancelRequested(Collection<String> ids) {
		return change((now, after) -> {
			Set<String> requested = new HashSet<>();
			for (String id : ids) {
				StoredTask task = live(id, now, after);
				if (task != null && task.cancelRequested) {
					requested.add(id);
				}
			}
			return Set.copyOf(requested);
		});
	}

	@Override
	public CompletableFuture<TaskInfo> whenFinal(String id) {
		return change((now, after) -> {
			StoredTask task = live(id, now, after);
			if (task == null) {
				return CompletableFuture.failedFuture(new TaskNotFoundException(id));
			}
			if (task.status.isFinal()) {
				return CompletableFuture.completedFuture(task.toInfo(this.json));
			}
			CompletableFuture<TaskInfo> future = new CompletableFuture<>();
			this.waiting.computeIfAbsent(id, (key) -> new ArrayList<>()).add(future);
			return future;
		});
	}

	@Override
	public AutoCloseable onCancelRequested(Consumer<String> listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.cancelListeners.add(listener);
		return () -> this.cancelListeners.remove(listener);
	}

	/**
	 * Runs a change under the lock, then what it left for later: futures and listeners run
	 * outside the lock so that they may call the registry.
	 */
	private <T> T change(Change<T> change) {
		List<Runnable> after = new ArrayList<>();
		try {
			synchronized (this.lock) {
				return change.apply(this.clock.millis(), after);
			}
		}
		finally {
			runAll(after);
		}
	}

	/**
	 * Runs every action even if one fails, so that one failing listener neither keeps the
	 * others from hearing nor leaves futures waiting.
	 */
	private static void runAll(List<Runnable> actions) {
		RuntimeException failure = null;
		for (Runnable action : actions) {
			try {
				action.run();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

	private StoredTask require(String id, long now, List<Runnable> after) {
		StoredTask task = live(id, now, after);
		if (task == null) {
			throw new TaskNotFoundException(id);
		}
		return task;
	}

	private StoredTask live(String id, long now, List<Runnable> after) {
		purgeIfDue(now, after);
		StoredTask task = this.tasks.get(id);
		if (task != null && isExpired(task, now)) {
			remove(task, after);
			return null;
		}
		return task;
	}

	private static boolean isExpired(StoredTask task, long now) {
		return now >= task.expiresAt;
	}

	/**
	 * Drops expired tasks, at most once a second so that a busy registry does not pay for it
	 * on every call; reads check the expiry of what they return in between.
	 */
	private void purgeIfDue(long now, List<Runnable> after) {
		boolean purgedRecently = this.lastPurge != NEVER && now >= this.lastPurge
				&& now - this.lastPurge < PURGE_INTERVAL_MILLIS;
		if (purgedRecently) {
			return;
		}
		this.lastPurge = now;
		while (!this.expiries.isEmpty() && now >= this.expiries.first().millis()) {
			remove(this.tasks.get(this.expiries.first().id()), after);
		}
	}

	private StoredTask store(StoredTask task, long now, long keepMillis) {
		this.tasks.put(task.id, task);
		task.expiresAt = now + keepMillis;
		this.expiries.add(new Stamp(task.expiresAt, task.id));
		index(task);
		return task;
	}

	private void remove(StoredTask task, List<Runnable> after) {
		this.tasks.remove(task.id);
		this.expiries.remove(new Stamp(task.expiresAt, task.id));
		unindex(task);
		List<CompletableFuture<TaskInfo>> futures = this.waiting.remove(task.id);
		if (futures != null) {
			TaskNotFoundException notFound = new TaskNotFoundException(task.id);
			after.add(() -> futures.forEach((future) -> future.completeExceptionally(notFound)));
		}
	}

	private void moveTo(StoredTask task, TaskStatus to, long now, List<Runnable> after) {
		moveTo(task, to, now, after, this.ttlMillis);
	}

	private void moveTo(StoredTask task, TaskStatus to, long now, List<Runnable> after, long keepMillis) {
		unindex(task);
		task.status = to;
		index(task);
		if (to.isFinal()) {
			task.finishedAt = now;
		}
		touch(task, now, keepMillis);
		if (to.isFinal()) {
			List<CompletableFuture<TaskInfo>> futures = this.waiting.remove(task.id);
			if (futures != null) {
				TaskInfo info = task.toInfo(this.json);
				after.add(() -> futures.forEach((future) -> future.complete(info)));
			}
		}
	}

	private static void append(StoredTask task, long now, String message) {
		task.events.add(new TaskEvent(Instant.ofEpochMilli(now), message));
		if (task.events.size() > StoredTask.EVENT_LOG_CAP) {
			task.events.remove(0);
		}
	}

	/**
	 * Records a change: the task lives at least {@code keepMillis} more, and never less than it
	 * was to live before.
	 */
	private void touch(StoredTask task, long now, long keepMillis) {
		task.updatedAt = now;
		long expiresAt = Math.max(task.expiresAt, now + Math.max(keepMillis, this.ttlMillis));
		if (expiresAt != task.expiresAt) {
			this.expiries.remove(new Stamp(task.expiresAt, task.id));
			task.expiresAt = expiresAt;
			this.expiries.add(new Stamp(expiresAt, task.id));
		}
	}

	private void index(StoredTask task) {
		Stamp stamp = new Stamp(task.createdAt, task.id);
		for (IndexKey key : IndexKey.of(task)) {
			this.indexes.computeIfAbsent(key, (k) -> new TreeSet<>(NEWEST_FIRST)).add(stamp);
		}
	}

	private void unindex(StoredTask task) {
		Stamp stamp = new Stamp(task.createdAt, task.id);
		for (IndexKey key : IndexKey.of(task)) {
			NavigableSet<Stamp> index = this.indexes.get(key);
			if (index != null && index.remove(stamp) && index.isEmpty()) {
				this.indexes.remove(key);
			}
		}
	}

	private static void requireToken(String token) {
		Assert.hasText(token, "'token' must not be empty");
	}

	private static void requirePositive(Duration lease) {
		Assert.isTrue(lease != null && lease.toMillis() > 0, "'lease' must be positive");
	}

	private void requireJson(NewTask task) {
		StoredTask.requireJson(this.json, task.argsJson(), "The arguments");
		StoredTask.requireJson(this.json, task.kwargsJson(), "The named arguments");
	}

	/**
	 * Orders ids as Redis orders sorted set members with equal scores: by their UTF-8 bytes,
	 * which is the order of their code points (not of their UTF-16 chars).
	 */
	private static int compareCodePoints(String a, String b) {
		int i = 0;
		int j = 0;
		while (i < a.length() && j < b.length()) {
			int x = a.codePointAt(i);
			int y = b.codePointAt(j);
			if (x != y) {
				return Integer.compare(x, y);
			}
			i += Character.charCount(x);
			j += Character.charCount(y);
		}
		return Boolean.compare(i < a.length(), j < b.length());
	}

	@FunctionalInterface
	private interface Change<T> {

		T apply(long now, List<Runnable> after);

	}

	/**
	 * A task id with a time: its creation in an index, its last change in the expiry order.
	 */
	private record Stamp(long millis, String id) {
	}

	/**
	 * Which tasks an index holds: those with the name and in the state, {@code null} for any.
	 */
	private record IndexKey(String name, TaskStatus status) {

		static List<IndexKey> of(StoredTask task) {
			return List.of(new IndexKey(null, null), new IndexKey(task.name, null), new IndexKey(null, task.status),
					new IndexKey(task.name, task.status));
		}

	}

}
