package dev.amqptasks.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.AttemptLostException;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskPage;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.TaskTransitions;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.Assert;

/**
 * A {@link TaskRegistry} in this process's memory, for development and tests: it behaves
 * as {@link RedisTaskRegistry} does (same state changes, order, paging and expiry) but is
 * not shared with other processes.
 */
public final class InMemoryTaskRegistry implements TaskRegistry {

	private final JsonMapper json;

	private final long ttlMillis;

	private final long erroredTtlMillis;

	private final InMemoryTaskStore store;

	private final List<Consumer<String>> cancelListeners = new CopyOnWriteArrayList<>();

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
	 * @param erroredTtl how long an errored task is kept at least: as long as its dead
	 * letter
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
		this.store = new InMemoryTaskStore(json, this.ttlMillis, clock);
	}

	@Override
	public Creation create(NewTask task) {
		requireJson(task);
		return this.store.change((now, after) -> {
			StoredTask existing = this.store.live(task.id(), now, after);
			if (existing != null) {
				return new Creation(existing.toInfo(this.json), false);
			}
			long wait = (task.notBefore() != null) ? Math.max(0, task.notBefore().toEpochMilli() - now) : 0;
			return new Creation(
					this.store.store(StoredTask.of(task, TaskStatus.SCHEDULED, now), now, wait + this.ttlMillis)
						.toInfo(this.json),
					true);
		});
	}

	@Override
	public Optional<TaskInfo> find(String id) {
		return this.store.change((now, after) -> Optional.ofNullable(this.store.live(id, now, after))
			.map((task) -> task.toInfo(this.json)));
	}

	@Override
	public TaskPage list(TaskQuery query) {
		return this.store.change((now, after) -> {
			return this.store.list(query, now, after);
		});
	}

	@Override
	public TaskCounts counts() {
		return this.store.change((now, after) -> {
			return this.store.counts(now, after);
		});
	}

	@Override
	public StartOutcome start(StartRequest request, String workerId, Duration lease) {
		NewTask task = request.task();
		requireJson(task);
		Assert.notNull(workerId, "'workerId' must not be null");
		requirePositive(lease);
		return this.store.change((now, after) -> {
			long leaseUntil = now + lease.toMillis();
			StoredTask stored = this.store.live(task.id(), now, after);
			if (stored == null) {
				Instant recreateUntil = StoredTask.recreateUntil(task, this.ttlMillis);
				if (recreateUntil != null && now >= recreateUntil.toEpochMilli()) {
					// Its entry may have expired as it was meant to, canceled or
					// finished: running
					// the message could undo either. It ends errored, and says why.
					stored = StoredTask.of(task, TaskStatus.ERRORED, now);
					stored.attempts = task.attempts();
					stored.replays = task.replay();
					stored.errorJson = StoredTask.errorJson(this.json, StoredTask.EXPIRED_ERROR);
					stored.finishedAt = now;
					this.store.store(stored, now, this.erroredTtlMillis);
					return new StartOutcome(Decision.DEAD_LETTER, TaskStatus.ERRORED, stored.attempts);
				}
				// Lost: the message knows how many attempts ran before, so the count goes
				// on from there.
				stored = StoredTask.of(task, TaskStatus.RUNNING, now);
				stored.attempts = task.attempts() + 1;
				stored.replays = task.replay();
				stored.startedAt = now;
				stored.worker = workerId;
				stored.leaseUntil = leaseUntil;
				stored.token = request.token();
				this.store.store(stored, now, this.ttlMillis);
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
				// A live worker holds the attempt: this message is a redelivery, not a
				// dead worker's
				// task. It also stops the task if its cancellation was requested.
				return new StartOutcome(Decision.DEFER, stored.status, stored.attempts,
						Duration.ofMillis(stored.leaseUntil - now));
			}
			if (stored.cancelRequested && TaskTransitions.isAllowed(stored.status, TaskStatus.CANCELED)) {
				endAttempt(stored);
				this.store.moveTo(stored, TaskStatus.CANCELED, now, after);
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
			this.store.moveTo(stored, TaskStatus.RUNNING, now, after);
			return new StartOutcome(Decision.RUN, TaskStatus.RUNNING, stored.attempts);
		});
	}

	@Override
	public Set<String> renewLeases(Map<String, String> tokens, Duration lease) {
		requirePositive(lease);
		return this.store.change((now, after) -> {
			Set<String> lost = new HashSet<>();
			tokens.forEach((id, token) -> {
				StoredTask task = this.store.live(id, now, after);
				if (holds(task, token)) {
					task.leaseUntil = now + lease.toMillis();
					this.store.touch(task, now, this.ttlMillis);
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
		return this.store.change((now, after) -> {
			StoredTask task = this.store.require(id, now, after);
			requireHeld(task, token, TaskStatus.SCHEDULED, now);
			TaskStatus to = task.cancelRequested ? TaskStatus.CANCELED : TaskStatus.SCHEDULED;
			endAttempt(task);
			this.store.moveTo(task, to, now, after);
			return to;
		});
	}

	@Override
	public TaskInfo replay(String id, String token) {
		requireToken(token);
		return this.store.change((now, after) -> {
			StoredTask task = this.store.require(id, now, after);
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
			InMemoryTaskStore.append(task, now, String.format(StoredTask.REPLAYED_MESSAGE, task.replays));
			this.store.moveTo(task, TaskStatus.SCHEDULED, now, after);
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
					// The error of an earlier, retried attempt does not describe a
					// finished task.
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
	 * Changes the state of a task after the update. Every change made here ends the
	 * running attempt (or comes before any), so it also removes the lease and its token.
	 */
	private void transition(String id, String token, TaskStatus to, Set<TaskStatus> sources, long keepMillis,
			Consumer<StoredTask> update) {
		this.store.change((now, after) -> {
			StoredTask task = this.store.require(id, now, after);
			requireHeld(task, token, to, now);
			if (!sources.contains(task.status)) {
				throw new IllegalTaskStateChangeException(id, task.status, to);
			}
			update.accept(task);
			endAttempt(task);
			this.store.moveTo(task, to, now, after, keepMillis);
			return null;
		});
	}

	/**
	 * Refuses a change by an attempt that no longer holds the task, and a change from
	 * outside any attempt ({@code token == null}) to a task that a live attempt holds.
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
		return this.store.change((now, after) -> {
			StoredTask task = this.store.require(id, now, after);
			if (TaskTransitions.CANCELED_AT_ONCE.contains(task.status)) {
				this.store.moveTo(task, TaskStatus.CANCELED, now, after);
			}
			else if (TaskTransitions.CANCEL_FLAGGED.contains(task.status)) {
				task.cancelRequested = true;
				this.store.touch(task, now, this.ttlMillis);
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
		this.store.change((now, after) -> {
			StoredTask task = this.store.require(id, now, after);
			if (token != null && !holds(task, token)) {
				throw new AttemptLostException(id, task.status);
			}
			InMemoryTaskStore.append(task, now, message);
			this.store.touch(task, now, this.ttlMillis);
			return null;
		});
	}

	@Override
	public void progress(String id, String token, double fraction) {
		StoredTask.requireFraction(fraction);
		requireToken(token);
		this.store.change((now, after) -> {
			StoredTask task = this.store.require(id, now, after);
			if (!holds(task, token)) {
				throw new AttemptLostException(id, task.status);
			}
			task.progress = fraction;
			this.store.touch(task, now, this.ttlMillis);
			return null;
		});
	}

	@Override
	public Set<String> cancelRequested(Collection<String> ids) {
		return this.store.change((now, after) -> {
			Set<String> requested = new HashSet<>();
			for (String id : ids) {
				StoredTask task = this.store.live(id, now, after);
				if (task != null && task.cancelRequested) {
					requested.add(id);
				}
			}
			return Set.copyOf(requested);
		});
	}

	@Override
	public CompletableFuture<TaskInfo> whenFinal(String id) {
		return this.store.change((now, after) -> {
			StoredTask task = this.store.live(id, now, after);
			if (task == null) {
				return CompletableFuture.failedFuture(new TaskNotFoundException(id));
			}
			if (task.status.isFinal()) {
				return CompletableFuture.completedFuture(task.toInfo(this.json));
			}
			CompletableFuture<TaskInfo> future = new CompletableFuture<>();
			this.store.await(id, future);
			return future;
		});
	}

	@Override
	public AutoCloseable onCancelRequested(Consumer<String> listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.cancelListeners.add(listener);
		return () -> this.cancelListeners.remove(listener);
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

}
