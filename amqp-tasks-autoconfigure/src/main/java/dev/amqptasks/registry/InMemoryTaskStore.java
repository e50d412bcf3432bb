package dev.amqptasks.registry;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskCursor;
import dev.amqptasks.spi.TaskPage;
import dev.amqptasks.spi.TaskQuery;
import tools.jackson.databind.json.JsonMapper;

/**
 * The state of {@link InMemoryTaskRegistry} and its bookkeeping: the tasks by id, the
 * indexes that list and count them (as the Redis sorted sets do), the order in which they
 * expire and the futures that wait for them to end. Every change runs under one lock,
 * through {@link #change}.
 */
final class InMemoryTaskStore {

	private static final long PURGE_INTERVAL_MILLIS = 1000;

	private static final long NEVER = Long.MIN_VALUE;

	private static final Comparator<String> ID_ORDER = InMemoryTaskStore::compareCodePoints;

	private static final Comparator<Stamp> NEWEST_FIRST = Comparator.comparingLong(Stamp::millis)
		.reversed()
		.thenComparing(Stamp::id, ID_ORDER.reversed());

	private static final Comparator<Stamp> OLDEST_FIRST = Comparator.comparingLong(Stamp::millis)
		.thenComparing(Stamp::id);

	private final JsonMapper json;

	private final long ttlMillis;

	private final Clock clock;

	private final Object lock = new Object();

	private final Map<String, StoredTask> tasks = new HashMap<>();

	private final Map<IndexKey, NavigableSet<Stamp>> indexes = new HashMap<>();

	/** Every task by the time it expires, soonest first. */
	private final NavigableSet<Stamp> expiries = new TreeSet<>(OLDEST_FIRST);

	private final Map<String, List<CompletableFuture<TaskInfo>>> waiting = new HashMap<>();

	private long lastPurge = NEVER;

	/**
	 * Creates a store.
	 * @param json the mapper of the task views
	 * @param ttlMillis how long a task lives at least after a change
	 * @param clock the clock of every change
	 */
	InMemoryTaskStore(JsonMapper json, long ttlMillis, Clock clock) {
		this.json = json;
		this.ttlMillis = ttlMillis;
		this.clock = clock;
	}

	/**
	 * Runs a change under the lock, then what it left for later: futures and listeners
	 * run outside the lock so that they may call the registry.
	 */
	<T> T change(Change<T> change) {
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

	StoredTask require(String id, long now, List<Runnable> after) {
		StoredTask task = live(id, now, after);
		if (task == null) {
			throw new TaskNotFoundException(id);
		}
		return task;
	}

	StoredTask live(String id, long now, List<Runnable> after) {
		purgeIfDue(now, after);
		StoredTask task = this.tasks.get(id);
		if (task != null && isExpired(task, now)) {
			remove(task, after);
			return null;
		}
		return task;
	}

	private void purgeIfDue(long now, List<Runnable> after) {
		purgeExpired(now).forEach((task) -> forgotten(task, after));
	}

	private void remove(StoredTask task, List<Runnable> after) {
		drop(task);
		forgotten(task, after);
	}

	/**
	 * Fails the futures that wait for a task that is no longer stored.
	 */
	private void forgotten(StoredTask task, List<Runnable> after) {
		List<CompletableFuture<TaskInfo>> futures = this.waiting.remove(task.id);
		if (futures != null) {
			TaskNotFoundException notFound = new TaskNotFoundException(task.id);
			after.add(() -> futures.forEach((future) -> future.completeExceptionally(notFound)));
		}
	}

	void moveTo(StoredTask task, TaskStatus to, long now, List<Runnable> after) {
		moveTo(task, to, now, after, this.ttlMillis);
	}

	void moveTo(StoredTask task, TaskStatus to, long now, List<Runnable> after, long keepMillis) {
		changeStatus(task, to);
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

	static void append(StoredTask task, long now, String message) {
		task.events.add(new TaskEvent(Instant.ofEpochMilli(now), message));
		if (task.events.size() > StoredTask.EVENT_LOG_CAP) {
			task.events.remove(0);
		}
	}

	/**
	 * Hands the future the task's view when the task ends, or fails it if the task is
	 * forgotten first.
	 */
	void await(String id, CompletableFuture<TaskInfo> future) {
		this.waiting.computeIfAbsent(id, (key) -> new ArrayList<>()).add(future);
	}

	private static boolean isExpired(StoredTask task, long now) {
		return now >= task.expiresAt;
	}

	/**
	 * Drops expired tasks, at most once a second so that a busy registry does not pay for
	 * it on every call; reads check the expiry of what they return in between.
	 * @return the tasks dropped
	 */
	private List<StoredTask> purgeExpired(long now) {
		boolean purgedRecently = this.lastPurge != NEVER && now >= this.lastPurge
				&& now - this.lastPurge < PURGE_INTERVAL_MILLIS;
		if (purgedRecently) {
			return List.of();
		}
		this.lastPurge = now;
		List<StoredTask> removed = new ArrayList<>();
		while (!this.expiries.isEmpty() && now >= this.expiries.first().millis()) {
			StoredTask task = this.tasks.get(this.expiries.first().id());
			drop(task);
			removed.add(task);
		}
		return removed;
	}

	StoredTask store(StoredTask task, long now, long keepMillis) {
		this.tasks.put(task.id, task);
		task.expiresAt = now + keepMillis;
		this.expiries.add(new Stamp(task.expiresAt, task.id));
		index(task);
		return task;
	}

	private void drop(StoredTask task) {
		this.tasks.remove(task.id);
		this.expiries.remove(new Stamp(task.expiresAt, task.id));
		unindex(task);
	}

	/**
	 * Changes the state of a task and moves it to the indexes of the new state.
	 */
	private void changeStatus(StoredTask task, TaskStatus to) {
		unindex(task);
		task.status = to;
		index(task);
	}

	/**
	 * Records a change: the task lives at least {@code keepMillis} more, and never less
	 * than it was to live before.
	 */
	void touch(StoredTask task, long now, long keepMillis) {
		task.updatedAt = now;
		long expiresAt = Math.max(task.expiresAt, now + Math.max(keepMillis, this.ttlMillis));
		if (expiresAt != task.expiresAt) {
			this.expiries.remove(new Stamp(task.expiresAt, task.id));
			task.expiresAt = expiresAt;
			this.expiries.add(new Stamp(expiresAt, task.id));
		}
	}

	/**
	 * A page of the tasks that match a query, newest first.
	 */
	TaskPage list(TaskQuery query, long now, List<Runnable> after) {
		purgeIfDue(now, after);
		List<IndexKey> keys = new ArrayList<>();
		if (query.statuses().isEmpty()) {
			keys.add(new IndexKey(query.name(), null));
		}
		query.statuses().forEach((status) -> keys.add(new IndexKey(query.name(), status)));
		Stamp cursor = (query.cursor() != null) ? new Stamp(query.cursor().createdAtMillis(), query.cursor().id())
				: null;
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
	}

	/**
	 * The number of tasks in each state, in all and by name.
	 */
	TaskCounts counts(long now, List<Runnable> after) {
		purgeIfDue(now, after);
		Map<TaskStatus, Long> byStatus = new EnumMap<>(TaskStatus.class);
		Map<String, Map<TaskStatus, Long>> byName = new HashMap<>();
		// The indexes hold each task once per state and per name and state: their sizes
		// are
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

	/**
	 * Orders ids as Redis orders sorted set members with equal scores: by their UTF-8
	 * bytes, which is the order of their code points (not of their UTF-16 chars).
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

	/**
	 * A change made under the lock.
	 *
	 * @param <T> its result
	 */
	@FunctionalInterface
	interface Change<T> {

		T apply(long now, List<Runnable> after);

	}

	/**
	 * A task id with a time: its creation in an index, its last change in the expiry
	 * order.
	 */
	private record Stamp(long millis, String id) {
	}

	/**
	 * Which tasks an index holds: those with the name and in the state, {@code null} for
	 * any.
	 */
	private record IndexKey(String name, TaskStatus status) {

		static List<IndexKey> of(StoredTask task) {
			return List.of(new IndexKey(null, null), new IndexKey(task.name, null), new IndexKey(null, task.status),
					new IndexKey(task.name, task.status));
		}

	}

}
