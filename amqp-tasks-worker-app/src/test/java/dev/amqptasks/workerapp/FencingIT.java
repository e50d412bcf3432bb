package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker frozen longer than its lease (a GC pause, a VM migration, SIGSTOP) has lost its
 * attempt: another worker runs the task again, and when the frozen one wakes up the registry
 * refuses whatever it still reports for the old attempt (log entries, progress, its outcome).
 * The task ends with the outcome of the attempt that replaced it, and never runs a third time.
 */
class FencingIT {

	/** Short, so that a frozen worker loses its attempt soon. */
	private static final Duration LEASE = Duration.ofSeconds(3);

	/** Short, so that the broker gives the frozen worker's message to the other one soon. */
	private static final int HEARTBEAT_SECONDS = 2;

	/** About 6 s of work at ~100 ms a step: the frozen attempt still runs when it wakes up. */
	private static final int STEPS = 60;

	/** Steps the first attempt makes before it is frozen. */
	private static final int STEPS_BEFORE_FREEZE = 5;

	/** Steps the second attempt makes before the frozen worker wakes up. */
	private static final int STEPS_BEFORE_WAKE_UP = 3;

	/** How long the task must stay as it ended: a late outcome or a third run would show. */
	private static final Duration SETTLED = Duration.ofSeconds(4);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final Duration POLL = Duration.ofMillis(50);

	private static final TaskNames NAMES = TaskNames.unique("fencing");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES, LEASE);

	@Test
	void aWorkerFrozenPastItsLeaseStoresNothingForItsLostAttemptAndTheTaskEndsFinishedByTheWorkerThatTookOver()
			throws Exception {
		List<WorkerProcess> workers = List.of(launchWorker("a"), launchWorker("b"));
		workers.forEach(WorkerProcess::awaitStarted);
		TaskHandle handle = fleet.producer().client().enqueue("sample.progress", STEPS);
		TaskInfo first = await("the first attempt logged " + STEPS_BEFORE_FREEZE + " steps").atMost(DEADLINE)
			.pollInterval(POLL)
			.until(handle::info, (task) -> task.status() == TaskStatus.RUNNING
					&& task.eventlog().size() >= STEPS_BEFORE_FREEZE);
		WorkerProcess frozen = workerWithId(workers, first.worker());
		WorkerProcess other = workers.get(1 - workers.indexOf(frozen));

		frozen.pause();
		long frozenAt = System.nanoTime();
		TaskInfo takenOver;
		try {
			takenOver = await("the other worker took the task over").atMost(DEADLINE)
				.pollInterval(POLL)
				.until(handle::info, (task) -> other.id().equals(task.worker()) && task.attempts() == 2);
			System.out.printf("fencing: %s took the task over %.1f s after %s froze%n", other.id(),
					secondsSince(frozenAt), frozen.id());
			// The frozen attempt is still mid-way when it wakes up, next to the new one.
			await("the second attempt logged " + STEPS_BEFORE_WAKE_UP + " steps").atMost(DEADLINE)
				.pollInterval(POLL)
				.until(handle::info, (task) -> stepsAfter(task, takenOver.startedAt()) >= STEPS_BEFORE_WAKE_UP);
		}
		finally {
			frozen.resume();
		}
		System.out.printf("fencing: %s woke up %.1f s after it froze%n", frozen.id(), secondsSince(frozenAt));
		TaskInfo ended = handle.await(DEADLINE);
		// A late outcome of the frozen attempt, or a third run, would change the task again.
		await("the task stays as it ended").during(SETTLED)
			.atMost(SETTLED.plusSeconds(5))
			.pollInterval(Duration.ofMillis(200))
			.until(handle::info, (task) -> task.status() == ended.status() && task.attempts() == ended.attempts()
					&& task.updatedAt().equals(ended.updatedAt()));
		TaskInfo task = handle.info();
		System.out.printf("fencing: the task ended %s with %d attempts, worker %s; event log %s%n",
				task.status().value(), task.attempts(), task.worker(), messages(task));

		assertThat(task.status()).as("status").isEqualTo(TaskStatus.FINISHED);
		assertThat(task.attempts()).as("attempts: the frozen one and the one that replaced it").isEqualTo(2);
		assertThat(task.worker()).as("worker: the one that took over").isEqualTo(other.id());
		assertThat(task.startedAt()).as("startedAt: of the second attempt").isEqualTo(takenOver.startedAt());
		assertThat(task.result().asInt()).as("result").isEqualTo(STEPS);
		assertThat(task.progress()).as("progress").isEqualTo(1.0);
		assertEventLogIsTheFrozenAttemptsStepsThenTheSecondAttemptsSteps(task, takenOver.startedAt());
		assertThat(frozen.logLines("WARN", "lost")).as("WARN lines of the frozen worker saying it lost the attempt")
			.isNotEmpty();
	}

	/**
	 * The frozen attempt logged {@code step 1 .. step k} before it froze (k at least
	 * {@link #STEPS_BEFORE_FREEZE}), the attempt that took over {@code step 1 .. step STEPS}, all
	 * after it started. A single entry of the frozen attempt written after it woke up would be a
	 * {@code step k+1} among the second attempt's entries.
	 */
	private static void assertEventLogIsTheFrozenAttemptsStepsThenTheSecondAttemptsSteps(TaskInfo task,
			Instant takeover) {
		List<TaskEvent> events = task.eventlog();
		List<TaskEvent> beforeTakeover = events.stream().filter((event) -> event.at().isBefore(takeover)).toList();
		int k = beforeTakeover.size();
		assertThat(k).as("entries of the first attempt, before the takeover at %s", takeover)
			.isGreaterThanOrEqualTo(STEPS_BEFORE_FREEZE);
		List<String> expected = new ArrayList<>(steps(k));
		expected.addAll(steps(STEPS));
		assertThat(messages(task)).as("the event log: %d steps of the frozen attempt, then the %d of the one that took "
				+ "over (entries at or after %s are the second attempt's)", k, STEPS, takeover)
			.containsExactlyElementsOf(expected);
	}

	private static List<String> steps(int count) {
		return IntStream.rangeClosed(1, count).mapToObj((i) -> "step " + i).toList();
	}

	private static List<String> messages(TaskInfo task) {
		return task.eventlog().stream().map(TaskEvent::message).toList();
	}

	private static long stepsAfter(TaskInfo task, Instant start) {
		return task.eventlog().stream().filter((event) -> !event.at().isBefore(start)).count();
	}

	private static WorkerProcess workerWithId(List<WorkerProcess> workers, String id) {
		return workers.stream()
			.filter((worker) -> worker.id().equals(id))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No worker of this test has the id " + id));
	}

	private static WorkerProcess launchWorker(String label) throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(List.of("--max-running-tasks=2", "--amqp-tasks.worker.lease-ttl=" + LEASE.toSeconds() + "s",
				"--spring.rabbitmq.requested-heartbeat=" + HEARTBEAT_SECONDS));
		return fleet.launch(label, args);
	}

	private static double secondsSince(long nanos) {
		return (System.nanoTime() - nanos) / 1e9;
	}

}
