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
import dev.amqptasks.testsupport.WorkerProcess;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A task's registry entry lives as long as a message that can still carry it, however
 * short {@code amqp-tasks.registry.ttl} is: a task delayed longer than the ttl stays
 * {@code scheduled} until it runs, and a task canceled during its delay stays
 * {@code canceled} and never runs when its message arrives.
 */
class LifetimesIT {

	/** Far shorter than the delay. */
	private static final Duration REGISTRY_TTL = Duration.ofSeconds(8);

	private static final Duration DELAY = Duration.ofSeconds(20);

	/**
	 * A delay may be rounded up to the next step of the delay ladder, and the worker is
	 * slow to see it.
	 */
	private static final Duration RUNS_WITHIN = DELAY.plusSeconds(15);

	/** How long after the delayed task finished the canceled one must stay as it is. */
	private static final Duration SETTLED = Duration.ofSeconds(4);

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	private static final String EXECUTIONS = "amqp_tasks_execution_seconds_count";

	private static final TaskNames NAMES = TaskNames.unique("lifetimes");

	private static final List<String> REGISTRY_ARGS = List
		.of("--amqp-tasks.registry.ttl=" + REGISTRY_TTL.toSeconds() + "s");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES).withProducerArgs(REGISTRY_ARGS.toArray(String[]::new));

	@Test
	void aTaskDelayedLongerThanTheRegistryTtlStaysScheduledUntilItRunsAndOneCanceledDuringItsDelayNeverRuns()
			throws Exception {
		WorkerProcess worker = startWorker("worker");
		// An echo that runs at once: the execution count of sample.echo is 1 from here
		// on, unless the
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

		// What the registry says of each task over time: every change of state, "missing"
		// where it
		// answers 404.
		Timeline addStates = new Timeline(enqueuedAt);
		Timeline echoStates = new Timeline(enqueuedAt);
		await("the delayed add finished").atMost(RUNS_WITHIN).pollInterval(Duration.ofMillis(250)).until(() -> {
			echoStates.note(state(canceled.id()));
			return addStates.note(state(delayed.id())).equals(TaskStatus.FINISHED.value());
		});
		// The canceled echo's message arrived before the add's: an observation window for
		// the worker
		// to act on it, and so for a wrong run to show.
		await("the canceled echo observed after its message arrived").during(SETTLED)
			.atMost(SETTLED.plusSeconds(5))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> echoStates.note(state(canceled.id())) != null);
		long echoExecutions = executions(worker, "sample.echo");
		long addExecutions = executions(worker, "sample.add");
		System.out.printf(
				"lifetimes (registry ttl %d s, delay %d s): the delayed add went %s; the echo canceled during "
						+ "its delay went %s; executions: sample.echo %d, sample.add %d%n",
				REGISTRY_TTL.toSeconds(), DELAY.toSeconds(), addStates, echoStates, echoExecutions, addExecutions);

		TaskInfo add = delayed.info();
		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(addStates.states())
				.as("states of the delayed add, never missing (404)")
				.isIn(List.of("scheduled", "running", "finished"), List.of("scheduled", "finished"));
			softly.assertThat(add.attempts()).as("attempts of the delayed add").isEqualTo(1);
			softly.assertThat(add.result()).as("result of the delayed add").hasToString("3");
			softly.assertThat(Duration.between(add.createdAt(), add.startedAt()))
				.as("from the enqueue to the run of the delayed add")
				.isGreaterThanOrEqualTo(DELAY.minusMillis(500));
			softly.assertThat(echoStates.states())
				.as("states of the echo canceled during its delay, never missing (404)")
				.containsExactly("canceled");
			softly.assertThat(echoExecutions)
				.as("executions of sample.echo: only the one that ran at once")
				.isEqualTo(1);
			softly.assertThat(addExecutions).as("executions of sample.add: the delayed one").isEqualTo(1);
		});
	}

	/**
	 * Reads a task's state from the registry, as the API's GET does.
	 * @return the state, or {@code "missing"} where the API answers 404
	 */
	private static String state(String id) {
		return fleet.producer().registry().find(id).map((task) -> task.status().value()).orElse("missing");
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

	/**
	 * The states a task went through, each with when it was first seen.
	 */
	private static final class Timeline {

		private final long start;

		private final List<String> states = new ArrayList<>();

		private final List<String> changes = new ArrayList<>();

		Timeline(long start) {
			this.start = start;
		}

		/**
		 * Notes the state seen now.
		 * @return the state
		 */
		synchronized String note(String state) {
			if (this.states.isEmpty() || !this.states.get(this.states.size() - 1).equals(state)) {
				this.states.add(state);
				this.changes.add(String.format("%s at %.1f s", state, secondsSince(this.start)));
			}
			return state;
		}

		synchronized List<String> states() {
			return List.copyOf(this.states);
		}

		@Override
		public synchronized String toString() {
			return String.join(" -> ", this.changes);
		}

	}

}
