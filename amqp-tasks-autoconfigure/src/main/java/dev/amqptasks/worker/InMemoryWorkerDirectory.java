package dev.amqptasks.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.spi.WorkerStatus;

/**
 * A {@link WorkerDirectory} in this process's memory, for the in-memory registry.
 */
public final class InMemoryWorkerDirectory implements WorkerDirectory {

	private final Map<String, Entry> workers = new ConcurrentHashMap<>();

	private final Clock clock;

	public InMemoryWorkerDirectory(Clock clock) {
		this.clock = clock;
	}

	@Override
	public void report(WorkerStatus worker, Duration ttl) {
		long now = this.clock.millis();
		this.workers.put(worker.id(), new Entry(worker, now, now + ttl.toMillis()));
	}

	@Override
	public void remove(String workerId) {
		this.workers.remove(workerId);
	}

	@Override
	public List<WorkerStatus> list() {
		long now = this.clock.millis();
		this.workers.values().removeIf((entry) -> entry.expiresAt() <= now);
		return this.workers.values()
			.stream()
			.sorted(Comparator.comparingLong(Entry::reportedAt).reversed())
			.map(Entry::worker)
			.toList();
	}

	private record Entry(WorkerStatus worker, long reportedAt, long expiresAt) {
	}

}
