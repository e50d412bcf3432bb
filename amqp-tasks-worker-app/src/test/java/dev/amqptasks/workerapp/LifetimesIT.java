package dev.amqptasks.workerapp;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A task's registry entry lives as long as a message that can still carry it, however short
 * {@code amqp-tasks.registry.ttl} is: a task delayed longer than the ttl stays {@code scheduled}
 * until it runs, and a task canceled during its delay stays {@code canceled} and never runs when
 * its message arrives.
 */
class LifetimesIT {

	/** Far shorter than the delay. */
	private static final Duration REGISTRY_TTL = Duration.ofSeconds(8);

	private static final Duration DELAY = Duration.ofSeconds(20);

	/** A delay may be rounded up to the next step of the delay ladder, and the worker is slow to see it. */
	private static final Duration RUNS_WITHIN = DELAY.plusSeconds(15);

	/** How long after the delayed task finished the canceled one must stay as it is. */
	private static final Duration SETTLED = Duration.ofSeconds(4);

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	private static final String EXECUTIONS = "amqp_tasks_execution_seconds_count";

	private static final TaskNames NAMES = TaskNames.unique("lifetimes");

	private static final List<String> REGISTRY_ARGS = List.of("--amqp-tasks.registry.ttl=" + REGISTRY_TTL.toSeconds() + "s");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES, DELAY)
		.withProducerArgs(REGISTRY_ARGS.toArray(String[]::new));

	@Test
	void aTaskDelayedLongerThanTheRegistryTtlStaysScheduledUntilItRunsAndOneCanceledDuringItsDelayNeverRuns()
			throws Exception {
		WorkerProcess worker = startWorker("worker");
		// An echo that runs at once: the execution count of sample.echo is 1 from here on, unless the
		// canceled echo below runs.
		TaskInfo echoed = fleet.producer().client().enqueue("sample.echo", "at once").await(DEADLINE);
		assertThat(echoed.status()).as("status of the echo that runs at once").isEqualTo(TaskStatus.FINISHED);
		await("the worker counted the echo").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> executions(worker, "sample.echo"), (count) -> count == 1);

		// Enqueued first, so that its message arrives first.
		TaskHandle canceled = fleet.producer()
			.client()
			.enqueue("sample.echo", List.of("canceled"), Map.of(), EnqueueOptions.withDelay(DELAY));
		long enqueuedAt = System.nanoTime();
		TaskHandle delayed = fleet.producer()
			.client()
			.enqueue("sample.add", List.of(1, 2), Map.of(), EnqueueOptions.withDelay(DELAY));
		assertThat(canceled.cancel().status()).as("status of the delayed echo after its cancel")
			.isEqualTo(TaskStatus.CANCELED);

		List<String> seen = new ArrayList<>();
		await("the delayed add finished").atMost(RUNS_WITHIN).pollInterval(Duration.ofMillis(250)).until(() -> {
			TaskInfo add = find(delayed.id(), enqueuedAt, "the delayed add");
			TaskInfo echo = find(canceled.id(), enqueuedAt, "the canceled echo");
			note(seen, add.status());
			assertThat(echo.status()).as("status of the canceled echo %.1f s after the enqueue", secondsSince(enqueuedAt))
				.isEqualTo(TaskStatus.CANCELED);
			assertThat(add.status()).as("status of the delayed add %.1f s after the enqueue", secondsSince(enqueuedAt))
				.isIn(TaskStatus.SCHEDULED, TaskStatus.RUNNING, TaskStatus.FINISHED);
			return add.status() == TaskStatus.FINISHED;
		});
		double ran = secondsSince(enqueuedAt);
		System.out.printf("lifetimes: the add delayed %d s went %s and finished %.1f s after the enqueue (registry ttl "
				+ "%d s)%n", DELAY.toSeconds(), String.join(" -> ", seen), ran, REGISTRY_TTL.toSeconds());
		// The canceled echo's message arrived before the add's: give the worker time to act on it.
		await("the canceled echo stays canceled and never runs").during(SETTLED)
			.atMost(SETTLED.plusSeconds(10))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> find(canceled.id(), enqueuedAt, "the canceled echo").status() == TaskStatus.CANCELED
					&& executions(worker, "sample.echo") == 1);

		TaskInfo add = delayed.info();
		assertThat(seen).as("states of the delayed add").startsWith("scheduled");
		assertThat(add.attempts()).as("attempts of the delayed add").isEqualTo(1);
		assertThat(add.result().asInt()).as("result of the delayed add").isEqualTo(3);
		assertThat(Duration.between(add.createdAt(), add.startedAt())).as("from the enqueue to the run of the add")
			.isGreaterThanOrEqualTo(DELAY.minusMillis(500));
		TaskInfo echo = canceled.info();
		assertThat(echo.status()).as("status of the canceled echo").isEqualTo(TaskStatus.CANCELED);
		assertThat(echo.attempts()).as("attempts of the canceled echo").isZero();
		assertThat(echo.startedAt()).as("startedAt of the canceled echo").isNull();
		assertThat(executions(worker, "sample.echo")).as("executions of sample.echo: only the one that ran at once")
			.isEqualTo(1);
		assertThat(executions(worker, "sample.add")).as("executions of sample.add: the delayed one").isEqualTo(1);
	}

	/**
	 * Reads a task from the registry, as the API's GET does (which answers 404 where this finds
	 * nothing).
	 */
	private static TaskInfo find(String id, long enqueuedAt, String what) {
		return fleet.producer()
			.registry()
			.find(id)
			.orElseThrow(() -> new AssertionError("The registry forgot " + what + " " + id + " "
					+ String.format("%.1f", secondsSince(enqueuedAt)) + " s after the enqueue (registry ttl "
					+ REGISTRY_TTL.toSeconds() + " s, delay " + DELAY.toSeconds() + " s)"));
	}

	private static void note(List<String> seen, TaskStatus status) {
		if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status.value())) {
			seen.add(status.value());
		}
	}

	/**
	 * The worker's count of attempts of a task, all outcomes, from its Prometheus scrape.
	 */
	private static long executions(WorkerProcess worker, String task) throws IOException, InterruptedException {
		HttpResponse<String> scrape = worker.get("/actuator/prometheus", Duration.ofSeconds(10));
		assertThat(scrape.statusCode()).as("status of the scrape").isEqualTo(200);
		return Math.round(scrape.body()
			.lines()
			.filter((line) -> line.startsWith(EXECUTIONS + "{") && line.contains("task=\"" + task + "\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum());
	}

	private static WorkerProcess startWorker(String label) throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(REGISTRY_ARGS);
		args.add("--max-running-tasks=4");
		return fleet.start(label, args);
	}

	private static double secondsSince(long nanos) {
		return (System.nanoTime() - nanos) / 1e9;
	}

}
