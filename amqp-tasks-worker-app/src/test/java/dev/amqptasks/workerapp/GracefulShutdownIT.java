package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM, the way supervisors stop a worker: it takes no new message, lets its running tasks
 * finish within {@code amqp-tasks.worker.shutdown-grace-period}, gives the rest back to the
 * queue ({@code scheduled}, to run again elsewhere) and exits with status 0. No task is lost or
 * left {@code running}.
 */
class GracefulShutdownIT {

	private static final int TASKS = 6;

	private static final Duration LEASE = Duration.ofSeconds(3);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final TaskNames NAMES = TaskNames.unique("graceful-shutdown");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	@Test
	void sigtermLetsTheRunningTasksFinishWithinTheGracePeriodAndExitsWithStatusZero() throws Exception {
		Duration grace = Duration.ofSeconds(20);
		WorkerProcess worker = startWorker("finishes", grace);
		List<String> ids = enqueueSleeps(2.0, 3.0);
		OptionalInt status;
		double exit;
		try {
			awaitAllRunning(ids);
			long terminatedAt = System.nanoTime();
			worker.terminate();
			status = worker.awaitExit(grace.plusSeconds(15));
			exit = secondsSince(terminatedAt);
		}
		finally {
			worker.kill();
		}
		Map<String, TaskInfo> after = fleet.producer().tasks(ids);
		System.out.printf("graceful shutdown: %d tasks running at SIGTERM, exit (status %s) after %.1f s, %d finished "
				+ "(grace %d s)%n", ids.size(), status.isPresent() ? status.getAsInt() : "none", exit,
				count(after, TaskStatus.FINISHED), grace.toSeconds());

		assertThat(status).as("exit status after SIGTERM").hasValue(0);
		assertThat(exit).as("seconds from SIGTERM to the exit: the running tasks, not the whole grace")
			.isLessThan(grace.toSeconds());
		assertThat(after.values()).as("every task finished on the stopping worker").allSatisfy((task) -> {
			assertThat(task.status()).as("status of %s", task.id()).isEqualTo(TaskStatus.FINISHED);
			assertThat(task.attempts()).as("attempts of %s", task.id()).isEqualTo(1);
			assertThat(task.worker()).as("worker of %s", task.id()).isEqualTo(worker.id());
		});
		assertThat(fleet.producer().readyMessages(NAMES.queue())).as("messages back in the queue").isZero();
		assertThat(worker.log()).contains("stopped").doesNotContain("tasks were requeued");
	}

	@Test
	void sigtermWithAShortGracePeriodRequeuesTheRunningTasksAndTheNextWorkerFinishesThem() throws Exception {
		Duration grace = Duration.ofSeconds(1);
		WorkerProcess first = startWorker("requeues", grace);
		List<String> ids = enqueueSleeps(20.0, 20.0);
		OptionalInt status;
		double exit;
		try {
			awaitAllRunning(ids);
			long terminatedAt = System.nanoTime();
			first.terminate();
			status = first.awaitExit(grace.plusSeconds(15));
			exit = secondsSince(terminatedAt);
		}
		finally {
			first.kill();
		}
		Map<String, TaskInfo> atExit = fleet.producer().tasks(ids);
		System.out.printf("short grace: %d tasks running at SIGTERM, exit (status %s) after %.1f s, %d scheduled again "
				+ "(grace %d s)%n", ids.size(), status.isPresent() ? status.getAsInt() : "none", exit,
				count(atExit, TaskStatus.SCHEDULED), grace.toSeconds());

		assertThat(status).as("exit status after SIGTERM").hasValue(0);
		assertThat(first.log()).contains("(tasks were requeued)");
		assertThat(atExit.values()).as("tasks interrupted by the shutdown").allSatisfy((task) -> {
			assertThat(task.status()).as("status of %s", task.id()).isEqualTo(TaskStatus.SCHEDULED);
			assertThat(task.attempts()).as("attempts of %s", task.id()).isEqualTo(1);
		});
		assertThat(fleet.producer().readyMessages(NAMES.queue())).as("messages back in the queue").isEqualTo(TASKS);

		WorkerProcess second = startWorker("finishes-them", Duration.ofSeconds(20));
		long secondStarted = System.nanoTime();
		try {
			await("every task final on the next worker").atMost(DEADLINE)
				.pollInterval(Duration.ofMillis(500))
				.until(() -> fleet.producer().tasks(ids), (tasks) -> tasks.values().stream().allMatch((t) -> t.status().isFinal()));
		}
		catch (ConditionTimeoutException ex) {
			// The assertions below say which tasks are not final.
		}
		finally {
			second.kill();
		}
		Map<String, TaskInfo> after = fleet.producer().tasks(ids);
		System.out.printf("short grace: the next worker finished %d of %d tasks %.1f s after it started%n",
				count(after, TaskStatus.FINISHED), ids.size(), secondsSince(secondStarted));

		assertThat(after.values()).as("every task finished on the next worker").allSatisfy((task) -> {
			assertThat(task.status()).as("status of %s", task.id()).isEqualTo(TaskStatus.FINISHED);
			assertThat(task.attempts()).as("attempts of %s", task.id()).isEqualTo(2);
			assertThat(task.worker()).as("worker of %s", task.id()).isEqualTo(second.id());
		});
	}

	private static WorkerProcess startWorker(String label, Duration grace) throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(List.of("--max-running-tasks=10", "--amqp-tasks.worker.lease-ttl=" + LEASE.toSeconds() + "s",
				"--amqp-tasks.worker.shutdown-grace-period=" + grace.toSeconds() + "s"));
		return fleet.start(label, args);
	}

	/**
	 * Enqueues {@link #TASKS} sleeps, their lengths spread evenly from {@code shortest} to
	 * {@code longest} seconds.
	 */
	private static List<String> enqueueSleeps(double shortest, double longest) {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < TASKS; i++) {
			ids.add(fleet.producer().client().enqueue("sample.sleep", shortest + (longest - shortest) * i / (TASKS - 1)).id());
		}
		return ids;
	}

	private static void awaitAllRunning(List<String> ids) {
		await("every task running").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> fleet.producer().tasks(ids), (tasks) -> count(tasks, TaskStatus.RUNNING) == ids.size());
	}

	private static long count(Map<String, TaskInfo> tasks, TaskStatus status) {
		return tasks.values().stream().filter((task) -> task.status() == status).count();
	}

	private static double secondsSince(long nanos) {
		return (System.nanoTime() - nanos) / 1e9;
	}

}
