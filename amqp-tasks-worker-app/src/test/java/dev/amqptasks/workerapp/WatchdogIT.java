package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.testsupport.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --auto-kill-timeout}: a canceled task that ignores its interruption makes the
 * watchdog end the worker with status 4, naming the task in its log, so that a supervisor
 * starts a fresh one. Before it exits, the worker hands the attempt it gives up back to
 * the registry: the task, whose cancel was requested, ends {@code canceled} at once
 * rather than a lease later, and the next worker that gets its message does not run it
 * again.
 */
class WatchdogIT {

	private static final Duration AUTO_KILL_TIMEOUT = Duration.ofSeconds(3);

	/** Long, so that waiting for the dead worker's lease would show. */
	private static final Duration LEASE = Duration.ofSeconds(20);

	/**
	 * The watchdog looks every quarter of its timeout; a stuck orderly exit is halted 10
	 * s later.
	 */
	private static final Duration EXIT_WITHIN = AUTO_KILL_TIMEOUT.plusSeconds(15);

	/**
	 * From the exit to the task's end: far less than the lease the exited worker held.
	 */
	private static final Duration CANCELED_WITHIN = Duration.ofSeconds(5);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final TaskNames NAMES = TaskNames.unique("watchdog");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	@Test
	void aCanceledTaskThatIgnoresItsInterruptionMakesTheWatchdogExitWithStatusFourAndTheTaskEndsCanceledAtOnce()
			throws Exception {
		List<WorkerProcess> workers = List.of(launchWorker("a"), launchWorker("b"));
		workers.forEach(WorkerProcess::awaitStarted);
		TaskHandle spin = fleet.producer().client().enqueue("sample.spin", 60);
		TaskInfo running = await("the spin task running").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(100))
			.until(spin::info, (task) -> task.status() == TaskStatus.RUNNING);
		WorkerProcess stuck = workers.stream()
			.filter((worker) -> worker.id().equals(running.worker()))
			.findFirst()
			.orElseThrow();
		WorkerProcess next = workers.get(1 - workers.indexOf(stuck));

		long canceledAt = System.nanoTime();
		spin.cancel();
		OptionalInt status = stuck.awaitExit(EXIT_WITHIN);
		long exitedAt = System.nanoTime();
		System.out.printf("watchdog: exit (status %s) %s s after the cancel (auto-kill-timeout %d s)%n",
				status.isPresent() ? status.getAsInt() : "none",
				status.isPresent() ? String.format("%.1f", (exitedAt - canceledAt) / 1e9) : "no",
				AUTO_KILL_TIMEOUT.toSeconds());

		assertThat(status).as("exit status of the worker within %s of the cancel", EXIT_WITHIN).hasValue(4);
		assertThat(stuck.log()).contains("Exiting with status 4: the watchdog found the worker stuck for PT3S: task "
				+ spin.id() + " (sample.spin) ignores its cancellation");

		TaskInfo task;
		try {
			task = await("the task canceled").atMost(LEASE.plus(DEADLINE))
				.pollInterval(Duration.ofMillis(100))
				.until(spin::info, (info) -> info.status().isFinal());
		}
		finally {
			next.kill();
		}
		double ended = (System.nanoTime() - exitedAt) / 1e9;
		System.out.printf("watchdog: the task ended %s %.1f s after the exit (lease %d s), attempts %d, worker %s%n",
				task.status().value(), ended, LEASE.toSeconds(), task.attempts(), task.worker());

		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(ended)
			.as("seconds from the exit to canceled: the exiting worker hands the task back, nobody waits "
					+ "for its %d s lease", LEASE.toSeconds())
			.isLessThanOrEqualTo(CANCELED_WITHIN.toSeconds());
		assertThat(task.attempts()).as("attempts: never run again").isEqualTo(1);
		assertThat(next.log()).as("log of the next worker").doesNotContain("Exiting with status");
	}

	private static WorkerProcess launchWorker(String label) throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(List.of("--max-running-tasks=2", "--auto-kill-timeout=" + AUTO_KILL_TIMEOUT.toSeconds(),
				"--amqp-tasks.worker.lease-ttl=" + LEASE.toSeconds() + "s"));
		return fleet.launch(label, args);
	}

}
