package dev.amqptasks.registry;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.amqptasks.TaskError;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskCursor;
import dev.amqptasks.spi.TaskPage;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link RedisTaskRegistry} against a real Redis: the contract, plus what only Redis does
 * (time to live on every key, index upkeep, missed notices, large registries).
 */
class RedisTaskRegistryTest extends TaskRegistryContractTest {

	private static LettuceConnectionFactory connectionFactory;

	private static StringRedisTemplate redis;

	private static RedisMessageListenerContainer listeners;

	private final String keyPrefix = LocalServices.uniqueName("registry");

	private final String base = "{" + this.keyPrefix + "}:";

	private RedisTaskRegistry redisRegistry;

	@BeforeAll
	static void connect() {
		LocalServices.Endpoint endpoint = LocalServices.redis();
		connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(endpoint.host(), endpoint.port()));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		redis = new StringRedisTemplate(connectionFactory);
		listeners = new RedisMessageListenerContainer();
		listeners.setConnectionFactory(connectionFactory);
		listeners.afterPropertiesSet();
		listeners.start();
	}

	@AfterAll
	static void disconnect() throws Exception {
		listeners.destroy();
		connectionFactory.destroy();
	}

	@Override
	protected TaskRegistry createRegistry(Clock clock) {
		// A short check interval, so that the test of a missed notice does not wait long.
		this.redisRegistry = new RedisTaskRegistry(redis, listeners, this.json, this.keyPrefix, TTL, TTL, clock,
				Duration.ofMillis(200));
		return this.redisRegistry;
	}

	@AfterEach
	void deleteKeys() {
		this.redisRegistry.close();
		List<String> keys = keys();
		for (int i = 0; i < keys.size(); i += 1000) {
			redis.unlink(keys.subList(i, Math.min(i + 1000, keys.size())));
		}
	}

	@Test
	void everyKeyTheRegistryWritesExpires() {
		String finished = aFinishedTask("1");
		this.registry.log(finished, null, "logged");
		String running = aRunningTask();
		this.registry.progress(running, tokenOf(running), 0.5);
		this.registry.requestCancel(running);
		String canceled = aScheduledTask();
		this.registry.requestCancel(canceled);
		String errored = aRunningTask();
		this.registry.fail(errored, tokenOf(errored), new TaskError("x", "y"));
		start(aTask(uniqueId()), "worker-1");
		String retrying = aRunningTask();
		this.registry.retry(retrying, tokenOf(retrying), new TaskError("x", "y"), Duration.ZERO);
		String requeued = aRunningTask();
		this.registry.requeue(requeued, tokenOf(requeued));
		String replayed = aRunningTask();
		this.registry.fail(replayed, tokenOf(replayed), new TaskError("x", "y"));
		this.registry.replay(replayed, uniqueId());
		this.registry.list(new TaskQuery(Set.of(TaskStatus.RUNNING), "sample.echo", 10, null));
		List<String> keys = keys();
		assertThat(keys).contains(this.base + "task:" + finished, this.base + "log:" + finished, this.base + "idx:all",
				this.base + "idx:name:sample.echo", this.base + "idx:status:finished",
				this.base + "idx:status-name:errored:sample.echo", this.base + "idx:status:retrying",
				this.base + "log:" + replayed, this.base + "names");
		for (String key : keys) {
			assertThat(redis.getExpire(key)).as("time to live of %s", key).isPositive();
		}
	}

	@Test
	void renewingALeaseRefreshesTheTimeToLiveOfTheTasksKeys() {
		String id = aRunningTask();
		this.registry.log(id, tokenOf(id), "logged");
		List<String> keys = List.of(this.base + "task:" + id, this.base + "log:" + id,
				this.base + "idx:status:running");
		keys.forEach((key) -> redis.expire(key, Duration.ofSeconds(60)));
		this.registry.renewLeases(Map.of(id, tokenOf(id)), LEASE);
		for (String key : keys) {
			assertThat(redis.getExpire(key)).as("time to live of %s", key).isGreaterThan(TTL.toSeconds() - 60);
		}
	}

	@Test
	void aTaskHoldsALeaseOnlyWhileItRuns() {
		String finished = aFinishedTask("1");
		String errored = anErroredTask();
		String canceled = aRunningTask();
		this.registry.markCanceled(canceled, tokenOf(canceled));
		String flagged = aRunningTask();
		this.registry.requestCancel(flagged);
		this.clock.advance(LEASE.plusSeconds(1));
		start(aTask(flagged), "worker-2");
		String retrying = aRunningTask();
		this.registry.retry(retrying, tokenOf(retrying), new TaskError("x", "y"), Duration.ZERO);
		String requeued = aRunningTask();
		this.registry.requeue(requeued, tokenOf(requeued));
		String running = aRunningTask();
		assertThat(redis.opsForHash().get(this.base + "task:" + running, "leaseUntil"))
			.isEqualTo(Long.toString(this.clock.millis() + LEASE.toMillis()));
		for (String id : List.of(finished, errored, canceled, flagged, retrying, requeued)) {
			assertThat(redis.opsForHash().get(this.base + "task:" + id, "leaseUntil")).as("lease of %s", id).isNull();
		}
	}

	@Test
	void indexMembersWhoseTaskExpiredAreSkippedAndRemoved() {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			ids.add(aScheduledTask());
			this.clock.advance(Duration.ofMillis(1));
		}
		redis.delete(this.base + "task:" + ids.get(4));
		redis.delete(this.base + "task:" + ids.get(3));
		TaskPage page = this.registry.list(new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 3, null));
		assertThat(page.items()).extracting(TaskInfo::id).containsExactly(ids.get(5), ids.get(2), ids.get(1));
		assertThat(page.next()).isNotNull();
		assertThat(redis.opsForZSet().score(this.base + "idx:status:scheduled", ids.get(4))).isNull();
		assertThat(redis.opsForZSet().score(this.base + "idx:status:scheduled", ids.get(3))).isNull();
	}

	@Test
	void expiredTasksLeaveEveryIndexWhereverTheySitBehindLongLivedTasks() {
		// A registry of its own, with a short time to live on the real clock: Redis
		// expires keys by
		// its own clock.
		RedisTaskRegistry shortLived = new RedisTaskRegistry(redis, listeners, this.json, this.keyPrefix,
				Duration.ofMillis(300), Clock.systemUTC());
		List<String> longLived = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			// The oldest members of every index, kept for an hour.
			String id = uniqueId();
			shortLived.create(new NewTask(id, "sample.echo", "[1]", "{}", 5, Instant.now().plus(Duration.ofHours(1))));
			longLived.add(id);
		}
		List<String> quick = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			String id = uniqueId();
			shortLived.create(new NewTask(id, "sample.echo", "[1]", "{}", 5));
			quick.add(id);
		}
		await().atMost(WAIT).until(() -> quick.stream().noneMatch((id) -> redis.hasKey(this.base + "task:" + id)));
		// Each change of any task drops expired ones from the indexes, a batch at a time.
		await().atMost(WAIT).untilAsserted(() -> {
			shortLived.requestCancel(longLived.get(0));
			assertThat(redis.opsForZSet().range(this.base + "idx:all", 0, -1))
				.containsExactlyInAnyOrderElementsOf(longLived);
		});
		assertThat(redis.opsForZSet().size(this.base + "idx:name:sample.echo")).isEqualTo(3);
		assertThat(redis.opsForZSet().size(this.base + "idx:status:scheduled")).isEqualTo(2);
		assertThat(redis.opsForZSet().size(this.base + "expiry")).isEqualTo(3);
	}

	@Test
	void aDelayedTaskOutlivesTheTimeToLiveUntilItsDelayHasPassed() {
		String id = uniqueId();
		this.registry.create(new NewTask(id, "sample.echo", "[1]", "{}", 5, this.clock.instant().plus(TTL)));
		// Canceled while it waits: the tombstone lives as long as the waiting task would
		// have.
		this.registry.requestCancel(id);
		assertThat(redis.getExpire(this.base + "task:" + id)).isGreaterThan(2 * TTL.toSeconds() - 60);
		assertThat(redis.getExpire(this.base + "idx:all")).isGreaterThan(2 * TTL.toSeconds() - 60);
	}

	@Test
	void anErroredTaskLivesAsLongAsItsDeadLetter() {
		RedisTaskRegistry keepingErrors = new RedisTaskRegistry(redis, listeners, this.json, this.keyPrefix, TTL,
				Duration.ofDays(7), this.clock);
		String id = uniqueId();
		keepingErrors.create(aTask(id));
		keepingErrors.fail(id, null, new TaskError("x", "y"));
		assertThat(redis.getExpire(this.base + "task:" + id)).isGreaterThan(Duration.ofDays(7).toSeconds() - 60);
		// A later change never shortens it.
		keepingErrors.replay(id, uniqueId());
		assertThat(redis.getExpire(this.base + "task:" + id)).isGreaterThan(Duration.ofDays(7).toSeconds() - 60);
	}

	@Test
	void countsIncludeATaskThatJustExpiredUntilAListingDropsItsIndexEntries() {
		String gone = aScheduledTask();
		aScheduledTask();
		redis.delete(this.base + "task:" + gone);
		assertThat(this.registry.counts().count(TaskStatus.SCHEDULED)).isEqualTo(2);
		this.registry.list(new TaskQuery(Set.of(TaskStatus.SCHEDULED), "sample.echo", 10, null));
		this.registry.list(new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 10, null));
		TaskCounts counts = this.registry.counts();
		assertThat(counts.count(TaskStatus.SCHEDULED)).isEqualTo(1);
		assertThat(counts.count("sample.echo", TaskStatus.SCHEDULED)).isEqualTo(1);
	}

	@Test
	void aNameWhoseIndexesExpiredIsDroppedFromTheNames() {
		String id = aScheduledTask();
		this.registry.create(new NewTask(uniqueId(), "sample.add", "[1,2]", "{}", 0));
		assertThat(redis.opsForZSet().range(this.base + "names", 0, -1)).containsExactlyInAnyOrder("sample.echo",
				"sample.add");
		// As if every key of the name's only task had expired.
		redis.delete(List.of(this.base + "task:" + id, this.base + "idx:status-name:scheduled:sample.echo",
				this.base + "idx:name:sample.echo"));
		assertThat(this.registry.counts().byName()).containsOnlyKeys("sample.add");
		assertThat(redis.opsForZSet().range(this.base + "names", 0, -1)).containsExactly("sample.add");
	}

	@Test
	void aLostTaskStoredAgainIsNotListedUnderItsOldState() {
		String id = aScheduledTask();
		redis.delete(this.base + "task:" + id);
		this.clock.advance(Duration.ofMillis(5));
		start(aTask(id), "worker-1");
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 10, null))).isEmpty();
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.RUNNING), null, 10, null))).containsExactly(id);
		assertThat(listIds(TaskQuery.all())).containsExactly(id);
	}

	@Test
	void whenFinalNoticesAFinalStateWhoseNoticeWasMissed() {
		String id = aRunningTask();
		CompletableFuture<TaskInfo> future = this.registry.whenFinal(id);
		// As if the notice was published while the subscription connection was down.
		// One write: the fallback check must not see the state without its result.
		redis.opsForHash().putAll(this.base + "task:" + id, Map.of("status", "finished", "result", "5"));
		assertThat(future).succeedsWithin(WAIT).satisfies((task) -> {
			assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
			assertThat(task.result()).isEqualTo(this.json.readTree("5"));
		});
	}

	@Test
	void whenFinalFailsOnceTheAwaitedTaskExpires() {
		String id = aRunningTask();
		CompletableFuture<TaskInfo> future = this.registry.whenFinal(id);
		redis.delete(this.base + "task:" + id);
		assertThat(future).failsWithin(WAIT)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(TaskNotFoundException.class);
	}

	@Test
	void aTaskExpiresInRedisAfterItsTimeToLive() {
		RedisTaskRegistry shortLived = new RedisTaskRegistry(redis, listeners, this.json, this.keyPrefix,
				Duration.ofMillis(300), Clock.systemUTC());
		try {
			String id = uniqueId();
			shortLived.create(aTask(id));
			assertThat(shortLived.find(id)).isPresent();
			await().atMost(WAIT).untilAsserted(() -> assertThat(shortLived.find(id)).isEmpty());
			assertThat(shortLived.list(TaskQuery.all()).items()).isEmpty();
		}
		finally {
			shortLived.close();
		}
	}

	@Test
	void aLargeRegistryIsListedPageByPageFromItsIndexes() {
		int count = 100_000;
		List<NewTask> batch = new ArrayList<>();
		List<Stamped> scheduled = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			// Ids in another order than creation, so that only the listing's order sorts
			// them.
			NewTask task = new NewTask(String.format("task-%06d", (i * 7919L) % count),
					(i % 2 == 0) ? "sample.even" : "sample.odd", "[]", "{}", 0);
			batch.add(task);
			scheduled.add(new Stamped(this.clock.millis(), task.id()));
			// A thousand tasks per millisecond: pages end inside runs of equal creation
			// times.
			if (batch.size() == 1000) {
				this.redisRegistry.createAll(batch);
				batch.clear();
				this.clock.advance(Duration.ofMillis(1));
			}
		}
		scheduled.sort(Stamped.NEWEST_FIRST);
		List<String> expected = scheduled.stream().map(Stamped::id).toList();
		List<String> finished = new ArrayList<>();
		for (int i = 0; i < 120; i++) {
			String id = expected.get(i * 800 + 7);
			start(aTask(id), "worker-1");
			this.registry.finish(id, tokenOf(id), Integer.toString(i));
			finished.add(id);
		}
		List<String> stillScheduled = new ArrayList<>(expected);
		stillScheduled.removeAll(Set.copyOf(finished));

		assertThat(walk(new TaskQuery(Set.of(TaskStatus.FINISHED), null, 50, null), 10))
			.containsExactlyElementsOf(finished);
		assertThat(walk(new TaskQuery(Set.of(TaskStatus.SCHEDULED), null, 50, null), 10))
			.containsExactlyElementsOf(stillScheduled.subList(0, 500));
		String middle = expected.get(55_555);
		TaskCursor cursor = new TaskCursor(scheduled.get(55_555).millis(), middle);
		assertThat(listIds(new TaskQuery(Set.of(), null, 100, cursor)))
			.containsExactlyElementsOf(expected.subList(55_556, 55_656));
		assertThat(listIds(new TaskQuery(Set.of(TaskStatus.SCHEDULED, TaskStatus.FINISHED), "sample.odd", 500, cursor)))
			.containsExactlyElementsOf(expected.subList(55_556, count)
				.stream()
				.filter((id) -> Integer.parseInt(id.substring(5)) % 2 == 1)
				.limit(500)
				.toList());
		assertThat(redis.opsForZSet().size(this.base + "idx:all")).isEqualTo(count);
		TaskCounts counts = this.registry.counts();
		assertThat(counts.count(TaskStatus.SCHEDULED)).isEqualTo(count - 120);
		assertThat(counts.count(TaskStatus.FINISHED)).isEqualTo(120);
		assertThat(counts.count("sample.even", TaskStatus.SCHEDULED) + counts.count("sample.odd", TaskStatus.SCHEDULED))
			.isEqualTo(count - 120);
		assertThat(counts.count("sample.even", TaskStatus.FINISHED) + counts.count("sample.odd", TaskStatus.FINISHED))
			.isEqualTo(120);
	}

	private List<String> walk(TaskQuery query, int pages) {
		List<String> ids = new ArrayList<>();
		TaskCursor cursor = null;
		for (int i = 0; i < pages; i++) {
			TaskPage page = this.registry.list(new TaskQuery(query.statuses(), query.name(), query.limit(), cursor));
			page.items().forEach((task) -> ids.add(task.id()));
			cursor = page.next();
			if (cursor == null) {
				break;
			}
		}
		return ids;
	}

	private List<String> keys() {
		return redis.execute((RedisCallback<List<String>>) (connection) -> {
			List<String> keys = new ArrayList<>();
			ScanOptions options = ScanOptions.scanOptions().match(this.base + "*").count(1000).build();
			try (Cursor<byte[]> cursor = connection.keyCommands().scan(options)) {
				cursor.forEachRemaining((key) -> keys.add(new String(key, StandardCharsets.UTF_8)));
			}
			return keys;
		});
	}

	private record Stamped(long millis, String id) {

		static final Comparator<Stamped> NEWEST_FIRST = Comparator.comparingLong(Stamped::millis)
			.thenComparing(Stamped::id)
			.reversed();

	}

}
