package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import dev.amqptasks.TaskEvent;
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
 * A worker frozen longer than its lease (a GC pause, a VM migration, SIGSTOP) has lost
 * its attempt: another worker runs the task again, and when the frozen one wakes up the
 * registry refuses whatever it still reports for the old attempt (log entries, progress,
 * its outcome). The task ends with the outcome of the attempt that replaced it, and never
 * runs a third time.
 */
class FencingIT {

	/** Short, so that a frozen worker loses its attempt soon. */
	private static final Duration LEASE = Duration.ofSeconds(3);

	/**
	 * Short, so that the broker gives the frozen worker's message to the other one soon.
	 */
	private static final int HEARTBEAT_SECONDS = 2;

	/**
	 * About 6 s of work at ~100 ms a step: the frozen attempt still runs when it wakes
	 * up.
	 */
	private static final int STEPS = 60;

	/** Steps the first attempt makes before it is frozen. */
	private static final int STEPS_BEFORE_FREEZE = 5;

	/** Steps the second attempt makes before the frozen worker wakes up. */
	private static final int STEPS_BEFORE_WAKE_UP = 3;

	/**
	 * How long the task must stay as it ended: a late outcome or a third run would show.
	 */
	private static final Duration SETTLED = Duration.ofSeconds(4);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final Duration POLL = Duration.ofMillis(50);

	private static final Pattern STEP = Pattern.compile("step \\d+");

	private static final TaskNames NAMES = TaskNames.unique("fencing");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	@Test
	void aWorkerFrozenPastItsLeaseStoresNothingForItsLostAttemptAndTheTaskEndsFinishedByTheWorkerThatTookOver()
			throws Exception {
		List<WorkerProcess> workers = List.of(launchWorker("a"), launchWorker("b"));
		workers.forEach(WorkerProcess::awaitStarted);
		TaskHandle handle = fleet.producer().client().enqueue("sample.progress", STEPS);
		TaskInfo first = await("the first attempt logged " + STEPS_BEFORE_FREEZE + " steps").atMost(DEADLINE)
			.pollInterval(POLL)
			.until(handle::info,
					(task) -> task.status() == TaskStatus.RUNNING && stepEntries(task).size() >= STEPS_BEFORE_FREEZE);
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
		// An observation window: a late outcome or log entry of the frozen attempt, or a
		// third run,
		// would change the task after it ended.
		List<String> changes = new ArrayList<>();
		await("the task observed after it ended").during(SETTLED)
			.atMost(SETTLED.plusSeconds(5))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> {
				String now = outcome(handle.info());
				if (!now.equals(outcome(ended))
						&& (changes.isEmpty() || !changes.get(changes.size() - 1).equals(now))) {
					changes.add(now);
				}
				return true;
			});
		TaskInfo task = handle.info();
		System.out.printf("fencing: the task ended %s with %d attempts, worker %s; event log %s%n",
				task.status().value(), task.attempts(), task.worker(), messages(task));

		SoftAssertions.assertSoftly((softly) -> {
			softly.assertThat(task.status()).as("status").isEqualTo(TaskStatus.FINISHED);
			softly.assertThat(changes).as("changes after the task ended as %s", outcome(ended)).isEmpty();
			softly.assertThat(task.attempts()).as("attempts: the frozen one and the one that replaced it").isEqualTo(2);
			softly.assertThat(task.worker()).as("worker: the one that took over").isEqualTo(other.id());
			softly.assertThat(task.startedAt()).as("startedAt: of the second attempt").isEqualTo(takenOver.startedAt());
			softly.assertThat(task.result()).as("result").hasToString(String.valueOf(STEPS));
			softly.assertThat(task.progress()).as("progress: the second attempt's last report").isEqualTo(1.0);
			softly.assertThat(messages(task))
				.as("the event log: the steps of the frozen attempt, then those of the one that took over at %s",
						takenOver.startedAt())
				.containsExactlyElementsOf(expectedEventLog(task, takenOver.startedAt()));
			softly.assertThat(frozen.logLines("WARN", "lost"))
				.as("WARN lines of the frozen worker saying it lost the attempt")
				.isNotEmpty();
		});
	}

	/**
	 * The frozen attempt logged {@code step 1 .. step k} before it froze (k at least
	 * {@link #STEPS_BEFORE_FREEZE}: the entries older than the takeover), the attempt
	 * that took over {@code step 1 .. step STEPS}. A single entry of the frozen attempt
	 * written after it woke up would be a {@code step k+1} among the second attempt's
	 * entries.
	 */
	private static List<String> expectedEventLog(TaskInfo task, Instant takeover) {
		long k = stepEntries(task).stream().filter((event) -> event.at().isBefore(takeover)).count();
		assertThat(k).as("entries of the first attempt, before the takeover at %s", takeover)
			.isGreaterThanOrEqualTo(STEPS_BEFORE_FREEZE);
		List<String> expected = new ArrayList<>(steps((int) k));
		expected.addAll(steps(STEPS));
		return expected;
	}

	private static List<String> steps(int count) {
		return IntStream.rangeClosed(1, count).mapToObj((i) -> "step " + i).toList();
	}

	/**
	 * The task's own entries in its event log ({@code step i}), leaving out any the
	 * system adds.
	 */
	private static List<TaskEvent> stepEntries(TaskInfo task) {
		return task.eventlog().stream().filter((event) -> STEP.matcher(event.message()).matches()).toList();
	}

	private static List<String> messages(TaskInfo task) {
		return stepEntries(task).stream().map(TaskEvent::message).toList();
	}

	private static long stepsAfter(TaskInfo task, Instant start) {
		return stepEntries(task).stream().filter((event) -> !event.at().isBefore(start)).count();
	}

	/**
	 * What an attempt's outcome and reports make of the task.
	 */
	private static String outcome(TaskInfo task) {
		return task.status().value() + ", " + task.attempts() + " attempts, worker " + task.worker() + ", result "
				+ task.result() + ", progress " + task.progress() + ", " + stepEntries(task).size() + " steps logged";
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
