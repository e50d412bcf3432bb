package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --auto-kill-timeout}: a canceled task that ignores its interruption makes the watchdog
 * end the worker with status 4, naming the task in its log, so that a supervisor starts a fresh
 * one. The task's message returns to the queue; the next worker finds its cancellation and ends
 * it {@code canceled} without running it again.
 */
class WatchdogIT {

	private static final Duration AUTO_KILL_TIMEOUT = Duration.ofSeconds(3);

	/** Short, so that the dead worker's hold on the task expires soon. */
	private static final Duration LEASE = Duration.ofSeconds(3);

	/** The watchdog looks every quarter of its timeout; a stuck orderly exit is halted 10 s later. */
	private static final Duration EXIT_WITHIN = AUTO_KILL_TIMEOUT.plusSeconds(15);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final TaskNames NAMES = TaskNames.unique("watchdog");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	@Test
	void aCanceledTaskThatIgnoresItsInterruptionMakesTheWatchdogExitWithStatusFourAndTheTaskEndsCanceled()
			throws Exception {
		WorkerProcess first = startWorker("stuck");
		TaskHandle spin = fleet.producer().client().enqueue("sample.spin", 60);
		await("the spin task running").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(100))
			.until(spin::status, (status) -> status == TaskStatus.RUNNING);

		long canceledAt = System.nanoTime();
		spin.cancel();
		OptionalInt status = first.awaitExit(EXIT_WITHIN);
		double exit = (System.nanoTime() - canceledAt) / 1e9;
		System.out.printf("watchdog: exit (status %s) %s s after the cancel (auto-kill-timeout %d s)%n",
				status.isPresent() ? status.getAsInt() : "none", status.isPresent() ? String.format("%.1f", exit) : "no",
				AUTO_KILL_TIMEOUT.toSeconds());

		assertThat(status).as("exit status of the worker within %s of the cancel", EXIT_WITHIN).hasValue(4);
		assertThat(first.log()).contains("Exiting with status 4: the watchdog found the worker stuck for PT3S: task "
				+ spin.id() + " (sample.spin) ignores its cancellation");
		// The worker died holding the task: the registry still says it runs there.
		TaskInfo left = spin.info();
		assertThat(left.status()).isEqualTo(TaskStatus.RUNNING);
		assertThat(left.worker()).isEqualTo(first.id());

		WorkerProcess second = startWorker("next");
		TaskInfo task;
		try {
			task = spin.await(DEADLINE);
		}
		finally {
			second.kill();
		}
		System.out.printf("watchdog: the task ended %s on the next worker, attempts %d%n", task.status().value(),
				task.attempts());

		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(task.attempts()).as("attempts: never run again").isEqualTo(1);
		assertThat(second.log()).as("log of the next worker").doesNotContain("Exiting with status");
	}

	private static WorkerProcess startWorker(String label) throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(List.of("--max-running-tasks=2", "--auto-kill-timeout=" + AUTO_KILL_TIMEOUT.toSeconds(),
				"--amqp-tasks.worker.lease-ttl=" + LEASE.toSeconds() + "s"));
		return fleet.start(label, args);
	}

}
