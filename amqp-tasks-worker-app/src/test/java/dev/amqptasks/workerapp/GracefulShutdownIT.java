package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.testsupport.WorkerProcess;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.amqp.core.AmqpAdmin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM, the way supervisors stop a worker: it takes no new message, lets its running
 * tasks finish within {@code amqp-tasks.worker.shutdown-grace-period}, gives the rest
 * back to the queue ({@code scheduled}, to run again elsewhere) and exits with status 0.
 * No task is lost or left {@code running}, not even one that ignores its interruption:
 * the worker hands it back before it exits, so that another worker runs it at once rather
 * than a lease later.
 */
class GracefulShutdownIT {

	private static final int TASKS = 6;

	private static final Duration LEASE = Duration.ofSeconds(3);

	/**
	 * For the task given up at the end of the grace period: waiting for its lease would
	 * show.
	 */
	private static final Duration LONG_LEASE = Duration.ofSeconds(20);

	/** From the exit to the hand-back being seen: far less than {@link #LONG_LEASE}. */
	private static final Duration HANDED_BACK_WITHIN = Duration.ofSeconds(5);

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
		System.out.printf(
				"graceful shutdown: %d tasks running at SIGTERM, exit (status %s) after %.1f s, %d finished "
						+ "(grace %d s)%n",
				ids.size(), status.isPresent() ? status.getAsInt() : "none", exit, count(after, TaskStatus.FINISHED),
				grace.toSeconds());

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
		System.out.printf(
				"short grace: %d tasks running at SIGTERM, exit (status %s) after %.1f s, %d scheduled again "
						+ "(grace %d s)%n",
				ids.size(), status.isPresent() ? status.getAsInt() : "none", exit, count(atExit, TaskStatus.SCHEDULED),
				grace.toSeconds());

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
				.until(() -> fleet.producer().tasks(ids),
						(tasks) -> tasks.values().stream().allMatch((t) -> t.status().isFinal()));
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

	@Test
	void aTaskThatIgnoresItsInterruptionAtTheEndOfTheGracePeriodIsHandedBackAndRunsAgainAtOnceOnAnotherWorker()
			throws Exception {
		Duration grace = Duration.ofSeconds(1);
		List<WorkerProcess> workers = List.of(launchWorker("gives-up", grace, LONG_LEASE),
				launchWorker("takes-over", grace, LONG_LEASE));
		workers.forEach(WorkerProcess::awaitStarted);
		// Spins on past the grace period and the wait for interrupted tasks that follows
		// it.
		String id = fleet.producer().client().enqueue("sample.spin", 30).id();
		TaskInfo running = await("the spin task running").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> fleet.producer().task(id), (task) -> task.status() == TaskStatus.RUNNING);
		WorkerProcess first = workers.stream()
			.filter((worker) -> worker.id().equals(running.worker()))
			.findFirst()
			.orElseThrow();
		WorkerProcess second = workers.get(1 - workers.indexOf(first));
		String firstId = first.id();
		String secondId = second.id();
		OptionalInt status;
		long exitedAt;
		try {
			long terminatedAt = System.nanoTime();
			first.terminate();
			status = first.awaitExit(grace.plusSeconds(30));
			exitedAt = System.nanoTime();
			System.out.printf("handed back: exit (status %s) %.1f s after SIGTERM (grace %d s)%n",
					status.isPresent() ? status.getAsInt() : "none", (exitedAt - terminatedAt) / 1e9,
					grace.toSeconds());
			assertThat(status).as("exit status after SIGTERM").hasValue(0);
			List<String> seen = new ArrayList<>();
			try {
				await("the task handed back: scheduled, or running again on " + secondId).atMost(HANDED_BACK_WITHIN)
					.pollDelay(Duration.ZERO)
					.pollInterval(Duration.ofMillis(100))
					.untilAsserted(() -> {
						TaskInfo task = fleet.producer().task(id);
						String state = task.status().value() + " on " + task.worker() + ", attempt " + task.attempts();
						if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(state)) {
							seen.add(state);
						}
						assertThat(task.status() == TaskStatus.SCHEDULED
								|| (secondId.equals(task.worker()) && task.attempts() == 2))
							.as("%.1f s after the exit of %s the task is %s (lease %d s)",
									(System.nanoTime() - exitedAt) / 1e9, firstId, state, LONG_LEASE.toSeconds())
							.isTrue();
					});
			}
			finally {
				System.out.printf("handed back: after the exit the task went %s (%.1f s)%n", String.join(" -> ", seen),
						(System.nanoTime() - exitedAt) / 1e9);
			}
			TaskInfo again = await("the task running again on " + secondId).atMost(HANDED_BACK_WITHIN)
				.pollInterval(Duration.ofMillis(100))
				.until(() -> fleet.producer().task(id),
						(task) -> secondId.equals(task.worker()) && task.status() == TaskStatus.RUNNING);
			assertThat(again.attempts()).as("attempts: the given-up one and this one").isEqualTo(2);
			assertThat(again.startedAt()).as("startedAt of the second attempt").isAfter(running.startedAt());
		}
		finally {
			first.kill();
			second.kill();
			// The other tests count the messages in the queue: none of this one's may be
			// left.
			AmqpAdmin admin = fleet.producer().getBean(AmqpAdmin.class);
			List<String> queues = new ArrayList<>(fleet.producer().topology().delayQueues());
			queues.add(NAMES.queue());
			for (String queue : queues) {
				if (admin.getQueueProperties(queue) != null) {
					admin.purgeQueue(queue, false);
				}
			}
		}
	}

	private static WorkerProcess startWorker(String label, Duration grace) throws IOException {
		return launchWorker(label, grace, LEASE).awaitStarted();
	}

	private static WorkerProcess launchWorker(String label, Duration grace, Duration lease) throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(List.of("--max-running-tasks=10", "--amqp-tasks.worker.lease-ttl=" + lease.toSeconds() + "s",
				"--amqp-tasks.worker.shutdown-grace-period=" + grace.toSeconds() + "s"));
		return fleet.launch(label, args);
	}

	/**
	 * Enqueues {@link #TASKS} sleeps, their lengths spread evenly from {@code shortest}
	 * to {@code longest} seconds.
	 */
	private static List<String> enqueueSleeps(double shortest, double longest) {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < TASKS; i++) {
			ids.add(fleet.producer()
				.client()
				.enqueue("sample.sleep", shortest + (longest - shortest) * i / (TASKS - 1))
				.id());
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
