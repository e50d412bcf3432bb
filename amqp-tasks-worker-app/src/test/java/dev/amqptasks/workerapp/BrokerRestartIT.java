package dev.amqptasks.workerapp;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.testsupport.Rabbitmqctl;
import dev.amqptasks.testsupport.WorkerProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RabbitMQ restarted mid-run ({@code rabbitmqctl stop_app}, {@code start_app}): an
 * enqueue fails fast with a clear error while it is down, the worker reconnects and
 * resumes by itself, and nothing whose enqueue was confirmed is lost (durable queues and
 * persistent messages survive {@code stop_app}). Runs the real worker jar in a JVM of its
 * own.
 * <p>
 * The broker is the machine's shared one: it is down for a few seconds only, and always
 * started again.
 */
class BrokerRestartIT {

	private static final Duration LEASE = Duration.ofSeconds(3);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final Duration FAIL_FAST = Duration.ofSeconds(15);

	private static final TaskNames NAMES = TaskNames.unique("broker-restart");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	private static Rabbitmqctl rabbitmqctl;

	private static WorkerProcess worker;

	@BeforeAll
	static void startWorker() throws Exception {
		rabbitmqctl = Rabbitmqctl.find().orElse(null);
		assumeTrue(rabbitmqctl != null, "rabbitmqctl is not on the PATH: the broker cannot be restarted");
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(List.of("--max-running-tasks=5", "--amqp-tasks.worker.lease-ttl=" + LEASE.toSeconds() + "s",
				// Skipped messages are logged at debug level.
				"--logging.level.dev.amqptasks.worker.TaskRunner=debug"));
		worker = fleet.start("worker", args);
	}

	@Test
	void whileTheBrokerIsDownEnqueueFailsFastAndOnceItIsBackTheWorkerResumesAndLosesNothingConfirmed()
			throws Exception {
		List<String> confirmed = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			confirmed.add(fleet.producer().client().enqueue("sample.sleep", 2.0).id());
		}
		Map<String, TaskInfo> running = await("some tasks running").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> fleet.producer().tasks(confirmed), (tasks) -> count(tasks, TaskStatus.RUNNING) >= 3);
		List<String> runningAtStop = running.values()
			.stream()
			.filter((task) -> task.status() == TaskStatus.RUNNING)
			.map(TaskInfo::id)
			.toList();

		String whileDown = "while-down-" + UUID.randomUUID();
		Throwable failure;
		Duration failedAfter;
		Instant down = null;
		Instant back;
		try {
			rabbitmqctl.run("stop_app");
			down = Instant.now();
			long start = System.nanoTime();
			failure = catchThrowable(() -> fleet.producer()
				.client()
				.enqueue("sample.echo", List.of("broker down"), Map.of(), EnqueueOptions.withId(whileDown)));
			failedAfter = Duration.ofNanos(System.nanoTime() - start);
			// Tasks that were running go on and store their outcome; their
			// acknowledgements are lost.
			await("the tasks running at the stop finish while the broker is down").atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> fleet.producer().tasks(runningAtStop),
						(tasks) -> tasks.values().stream().allMatch((task) -> task.status().isFinal()));
		}
		finally {
			rabbitmqctl.run("start_app");
			rabbitmqctl.run("await_startup");
			back = Instant.now();
		}
		assertThat(worker.isAlive()).as("the worker JVM is alive after the broker came back").isTrue();
		await("the worker consumes again").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> fleet.producer().consumers(NAMES.queue()) >= 1);
		Duration resumedAfter = Duration.between(back, Instant.now());
		for (int i = 0; i < 5; i++) {
			confirmed.add(fleet.producer().client().enqueue("sample.echo", "after restart " + i).id());
		}
		try {
			await("every confirmed task final").atMost(DEADLINE)
				.pollInterval(Duration.ofMillis(200))
				.until(() -> fleet.producer().tasks(confirmed),
						(tasks) -> tasks.values().stream().allMatch((task) -> task.status().isFinal()));
		}
		finally {
			Map<String, TaskInfo> now = fleet.producer().tasks(confirmed);
			long lost = now.values().stream().filter((task) -> task.status() != TaskStatus.FINISHED).count();
			System.out.printf("broker restart test: %d confirmed, %d lost, resumed after %.1f s%n", confirmed.size(),
					lost, resumedAfter.toMillis() / 1000.0);
			String log = worker.log();
			System.out.printf(
					"broker restart test: down for %.1f s; an enqueue failed after %d ms while down; %d running at the "
							+ "stop; the worker skipped %d redelivered finished task(s); all final %.1f s after the broker "
							+ "was back%n",
					Duration.between(down, back).toMillis() / 1000.0, failedAfter.toMillis(), runningAtStop.size(),
					confirmed.stream().filter((id) -> log.contains("Skipping task " + id)).count(),
					Duration.between(back, Instant.now()).toMillis() / 1000.0);
		}

		assertThat(failure).as("an enqueue while the broker is down").isInstanceOf(TaskEnqueueException.class);
		assertThat(failure).hasMessageContaining(whileDown);
		System.out.println("broker restart test: the enqueue while down said: " + failure.getMessage());
		assertThat(failedAfter).as("time until the enqueue failed").isLessThan(FAIL_FAST);
		TaskInfo notEnqueued = fleet.producer().task(whileDown);
		assertThat(notEnqueued.status()).as("the task whose enqueue failed").isEqualTo(TaskStatus.ERRORED);
		assertThat(notEnqueued.error().type()).isEqualTo(TaskEnqueueException.class.getName());
		assertThat(fleet.producer().tasks(confirmed).values()).as("every confirmed task").allSatisfy((task) -> {
			assertThat(task.status()).as("status of %s", task.id()).isEqualTo(TaskStatus.FINISHED);
			assertThat(task.error()).as("error of %s", task.id()).isNull();
		});
		for (String id : runningAtStop) {
			assertThat(fleet.producer().task(id).attempts()).as("attempts of %s, running at the stop", id).isEqualTo(1);
		}
		assertThat(worker.isAlive()).as("the worker JVM was never restarted").isTrue();
		assertThat(worker.log()).as("the worker started once").containsOnlyOnce("Started WorkerApplication");
	}

	private static long count(Map<String, TaskInfo> tasks, TaskStatus status) {
		return tasks.values().stream().filter((task) -> task.status() == status).count();
	}

}
