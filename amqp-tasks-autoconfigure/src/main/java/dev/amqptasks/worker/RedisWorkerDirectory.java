package dev.amqptasks.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.spi.WorkerStatus;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A {@link WorkerDirectory} in Redis: one key per worker holding its last report,
 * expiring with it, and a sorted set of worker ids by the time they last reported. All
 * keys share the registry's hash tag.
 */
public final class RedisWorkerDirectory implements WorkerDirectory {

	private final StringRedisTemplate redis;

	private final JsonMapper json;

	private final String base;

	private final Clock clock;

	public RedisWorkerDirectory(StringRedisTemplate redis, JsonMapper json, String keyPrefix, Clock clock) {
		this.redis = redis;
		this.json = json;
		this.base = "{" + keyPrefix + "}:";
		this.clock = clock;
	}

	@Override
	public void report(WorkerStatus worker, Duration ttl) {
		String workers = this.base + "workers";
		this.redis.opsForValue().set(workerKey(worker.id()), this.json.writeValueAsString(worker), ttl);
		this.redis.opsForZSet().add(workers, worker.id(), this.clock.millis());
		this.redis.expire(workers, ttl);
	}

	@Override
	public void remove(String workerId) {
		this.redis.delete(workerKey(workerId));
		this.redis.opsForZSet().remove(this.base + "workers", workerId);
	}

	@Override
	public List<WorkerStatus> list() {
		String workers = this.base + "workers";
		Set<String> ids = this.redis.opsForZSet().reverseRange(workers, 0, -1);
		if (ids == null || ids.isEmpty()) {
			return List.of();
		}
		List<String> keys = ids.stream().map(this::workerKey).toList();
		List<String> reports = this.redis.opsForValue().multiGet(keys);
		List<WorkerStatus> live = new ArrayList<>();
		int i = 0;
		for (String id : ids) {
			String report = (reports != null) ? reports.get(i++) : null;
			if (report != null) {
				live.add(this.json.readValue(report, WorkerStatus.class));
			}
			else {
				// Its report expired: the worker stopped reporting.
				this.redis.opsForZSet().remove(workers, id);
			}
		}
		return live;
	}

	private String workerKey(String id) {
		return this.base + "worker:" + id;
	}

}
