package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskRequest;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry's indexes shrink back to the live tasks once the others have expired,
 * wherever the long-lived tasks sit in them: three tasks that retry forever, enqueued
 * first and so the oldest members of {@code idx:all}, do not keep 200 expired quick tasks
 * in it.
 */
class PruningIT {

	private static final Duration REGISTRY_TTL = Duration.ofSeconds(5);

	private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

	private static final int FOREVER = 3;

	private static final int QUICK = 200;

	/** A little room above the live tasks for pruning that lags behind a little. */
	private static final int MARGIN = 7;

	/** How long after the quick tasks expired the index may take to shrink. */
	private static final Duration PRUNED_WITHIN = REGISTRY_TTL.plusSeconds(15);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final TaskNames NAMES = TaskNames.unique("pruning");

	private static final List<String> SETTINGS = List.of("--amqp-tasks.registry.ttl=" + REGISTRY_TTL.toSeconds() + "s",
			"--amqp-tasks.retry.max-retries=-1", "--amqp-tasks.retry.delay=" + RETRY_DELAY.toSeconds() + "s");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES).withProducerArgs(SETTINGS.toArray(String[]::new));

	@Test
	void threeTasksRetryingForeverAtTheHeadOfTheIndexDoNotKeepTwoHundredExpiredTasksInIt() throws Exception {
		startWorker("worker");
		List<String> forever = IntStream.range(0, FOREVER)
			.mapToObj((i) -> fleet.producer().client().enqueue("sample.fail", "forever " + i).id())
			.toList();
		await("the tasks that fail retrying").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> fleet.producer().tasks(forever),
					(tasks) -> tasks.values().stream().allMatch((task) -> task.attempts() >= 2));

		List<TaskRequest> requests = IntStream.range(0, QUICK)
			.mapToObj((i) -> TaskRequest.of("sample.add", i, 1))
			.toList();
		List<String> quick = fleet.producer().client().enqueueAll(requests).stream().map(TaskHandle::id).toList();
		await("the quick tasks finished").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(500))
			.until(() -> fleet.producer().tasks(quick),
					(tasks) -> tasks.values().stream().allMatch((task) -> task.status() == TaskStatus.FINISHED));
		long finishedAt = System.nanoTime();
		long atFinish = indexSize();
		await("the quick tasks expired").atMost(REGISTRY_TTL.plus(DEADLINE))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> quick.stream().noneMatch((id) -> fleet.producer().registry().find(id).isPresent()));
		long expiredAt = System.nanoTime();
		long atExpiry = indexSize();

		List<Long> sizes = new ArrayList<>();
		try {
			await("idx:all about the live tasks").atMost(PRUNED_WITHIN)
				.pollInterval(Duration.ofMillis(500))
				.untilAsserted(() -> {
					long size = indexSize();
					sizes.add(size);
					assertThat(size)
						.as("members of idx:all %.1f s after the %d quick tasks expired, with %d live tasks",
								(System.nanoTime() - expiredAt) / 1e9, QUICK, FOREVER)
						.isLessThanOrEqualTo(FOREVER + MARGIN);
				});
		}
		finally {
			System.out.printf(
					"pruning: idx:all had %d members when the %d quick tasks finished, %d when they had expired "
							+ "(%.1f s later, registry ttl %d s), then %s over %.1f s%n",
					atFinish, QUICK, atExpiry, (expiredAt - finishedAt) / 1e9, REGISTRY_TTL.toSeconds(), sizes,
					(System.nanoTime() - expiredAt) / 1e9);
		}
		Map<String, TaskInfo> live = fleet.producer().tasks(forever);
		assertThat(live.values()).as("the tasks that retry forever are still there, and still retrying")
			.allSatisfy((task) -> assertThat(task.status()).isIn(TaskStatus.RETRYING, TaskStatus.RUNNING));
		assertThat(indexSize()).as("members of idx:all").isLessThanOrEqualTo(FOREVER + MARGIN);
	}

	/**
	 * The members of the registry's index of all tasks ({@code {<prefix>}:idx:all}, as
	 * the README's registry layout names it).
	 */
	private static long indexSize() {
		Long size = fleet.producer()
			.getBean(StringRedisTemplate.class)
			.opsForZSet()
			.zCard("{" + NAMES.keyPrefix() + "}:idx:all");
		return (size != null) ? size : 0;
	}

	private static void startWorker(String label) throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(SETTINGS);
		args.add("--max-running-tasks=10");
		fleet.start(label, args);
	}

}
