package dev.amqptasks.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The driver's own view of the registry's Redis keys ({@code {<prefix>}:task:<id>} hashes
 * and {@code {<prefix>}:idx:status:<status>} sorted sets), to count and time tasks
 * without disturbing the task system, and to delete a run's keys.
 */
final class Registry implements AutoCloseable {

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	Registry(String host, int port) {
		this.client = RedisClient
			.create(RedisURI.Builder.redis(host, port).withTimeout(Duration.ofSeconds(30)).build());
		this.connection = this.client.connect();
	}

	String version() {
		for (String line : this.connection.sync().info("server").split("\r?\n")) {
			if (line.startsWith("redis_version:")) {
				return "Redis " + line.substring("redis_version:".length()).trim();
			}
		}
		return "Redis (unknown version)";
	}

	long count(String prefix, String status) {
		return this.connection.sync().zcard("{" + prefix + "}:idx:status:" + status);
	}

	/**
	 * Waits until the registry holds at least {@code target} finished tasks; fails at
	 * once if a task errored or was canceled.
	 * @return the {@link System#currentTimeMillis()} when the count was seen
	 */
	long awaitFinished(String prefix, long target, Duration timeout, Runnable alive) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			long finished = count(prefix, "finished");
			if (finished >= target) {
				return System.currentTimeMillis();
			}
			long errored = count(prefix, "errored");
			long canceled = count(prefix, "canceled");
			if (errored > 0 || canceled > 0) {
				throw new IllegalStateException("Tasks failed in the registry {" + prefix + "}: " + errored
						+ " errored, " + canceled + " canceled (finished " + finished + " of " + target + ")");
			}
			alive.run();
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Only " + finished + " of " + target + " tasks finished within "
						+ timeout.toSeconds() + " s (registry {" + prefix + "}: " + count(prefix, "scheduled")
						+ " scheduled, " + count(prefix, "running") + " running)");
			}
			Thread.sleep(20);
		}
	}

	/**
	 * Reads epoch-millisecond fields of many tasks, pipelined.
	 * @param prefix the key prefix
	 * @param ids the task ids
	 * @param fields the hash fields, e.g. createdAt
	 * @return per task, per field, the value ({@code Long.MIN_VALUE} when missing)
	 */
	long[][] times(String prefix, String[] ids, String... fields) throws Exception {
		RedisAsyncCommands<String, String> async = this.connection.async();
		List<RedisFuture<List<KeyValue<String, String>>>> futures = new ArrayList<>(ids.length);
		for (String id : ids) {
			futures.add(async.hmget("{" + prefix + "}:task:" + id, fields));
		}
		long[][] times = new long[ids.length][fields.length];
		for (int i = 0; i < ids.length; i++) {
			List<KeyValue<String, String>> values = futures.get(i).get(60, TimeUnit.SECONDS);
			for (int f = 0; f < fields.length; f++) {
				KeyValue<String, String> value = values.get(f);
				times[i][f] = value.hasValue() ? Long.parseLong(value.getValue()) : Long.MIN_VALUE;
			}
		}
		return times;
	}

	/**
	 * Deletes every key of a prefix.
	 * @return how many keys were deleted
	 */
	long deleteAll(String prefix) {
		RedisCommands<String, String> sync = this.connection.sync();
		ScanArgs args = ScanArgs.Builder.matches("{" + prefix + "}:*").limit(2000);
		ScanCursor cursor = ScanCursor.INITIAL;
		long deleted = 0;
		do {
			KeyScanCursor<String> page = sync.scan(cursor, args);
			if (!page.getKeys().isEmpty()) {
				deleted += sync.unlink(page.getKeys().toArray(String[]::new));
			}
			cursor = page;
		}
		while (!cursor.isFinished());
		return deleted;
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
	}

}
