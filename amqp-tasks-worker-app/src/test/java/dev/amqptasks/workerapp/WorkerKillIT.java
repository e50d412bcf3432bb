package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.testsupport.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker killed with SIGKILL mid-task loses nothing: the broker redelivers its
 * unacknowledged messages, another worker runs them, and they end finished. A redelivered
 * message whose task already finished is acknowledged and skipped. Runs the real worker
 * jar in JVMs of its own.
 */
class WorkerKillIT {

	private static final int TASKS = 30;

	/**
	 * Short, so that the tasks of a dead worker are not held long: their leases expire.
	 */
	private static final Duration LEASE = Duration.ofSeconds(3);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final TaskNames NAMES = TaskNames.unique("worker-kill");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	@Test
	void aWorkerKilledMidTaskLosesNothingAndItsRunningTasksFinishOnAnotherWorker() throws Exception {
		WorkerProcess first = startWorker("a");
		String firstId = first.id();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < TASKS; i++) {
			ids.add(fleet.producer().client().enqueue("sample.sleep", 1.0 + (i % 5) * 0.25).id());
		}
		await("some tasks finished and some running").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> fleet.producer().tasks(ids),
					(tasks) -> count(tasks, TaskStatus.FINISHED) >= 5 && count(tasks, TaskStatus.RUNNING) >= 5);

		first.kill();
		Instant killed = Instant.now();
		// The dead worker writes nothing more: this is the state it left.
		Map<String, TaskInfo> atKill = fleet.producer().tasks(ids);
		List<String> finishedBefore = idsWith(atKill, (task) -> task.status() == TaskStatus.FINISHED);
		List<String> runningAtKill = idsWith(atKill, (task) -> task.status() == TaskStatus.RUNNING);
		List<String> notStarted = idsWith(atKill, (task) -> task.status() == TaskStatus.SCHEDULED);
		WorkerProcess second = startWorker("b");
		String secondId = second.id();
		Instant secondStarted = Instant.now();
		try {
			await("every task final").atMost(DEADLINE)
				.pollInterval(Duration.ofMillis(200))
				.until(() -> fleet.producer().tasks(ids),
						(tasks) -> tasks.values().stream().allMatch((t) -> t.status().isFinal()));
		}
		finally {
			Map<String, TaskInfo> now = fleet.producer().tasks(ids);
			long lost = now.values().stream().filter((task) -> task.status() != TaskStatus.FINISHED).count();
			long runAgain = runningAtKill.stream().filter((id) -> now.get(id).attempts() > 1).count();
			long runTwice = finishedBefore.stream()
				.filter((id) -> now.get(id).attempts() != 1
						|| !now.get(id).updatedAt().equals(atKill.get(id).updatedAt()))
				.count();
			System.out.printf(
					"kill test: %d tasks, %d lost, %d run again after the kill, %d run twice after finishing%n",
					ids.size(), lost, runAgain, runTwice);
			System.out
				.printf("kill test: killed with %d finished, %d running and %d queued; the second worker started %.1f s "
						+ "after the kill, skipped %d redelivered finished task(s); all final %.1f s after the kill%n",
						finishedBefore.size(), runningAtKill.size(), notStarted.size(), seconds(killed, secondStarted),
						skipped(second, ids), seconds(killed, Instant.now()));
		}
		Map<String, TaskInfo> after = fleet.producer().tasks(ids);

		assertThat(finishedBefore).as("tasks finished before the kill").isNotEmpty();
		assertThat(runningAtKill).as("tasks running at the kill").isNotEmpty();
		assertThat(finishedBefore.size() + runningAtKill.size() + notStarted.size()).isEqualTo(TASKS);
		assertThat(after.values()).as("no task is lost").allSatisfy((task) -> {
			assertThat(task.status()).as("status of %s", task.id()).isEqualTo(TaskStatus.FINISHED);
			assertThat(task.error()).as("error of %s", task.id()).isNull();
		});
		for (String id : finishedBefore) {
			TaskInfo before = atKill.get(id);
			TaskInfo task = after.get(id);
			assertThat(task.attempts()).as("attempts of %s, finished before the kill", id).isEqualTo(1);
			assertThat(task.worker()).as("worker of %s, finished before the kill", id).isEqualTo(firstId);
			assertThat(task.finishedAt()).as("finishedAt of %s, finished before the kill", id)
				.isEqualTo(before.finishedAt());
			assertThat(task.updatedAt()).as("updatedAt of %s, finished before the kill", id)
				.isEqualTo(before.updatedAt());
		}
		for (String id : runningAtKill) {
			TaskInfo task = after.get(id);
			assertThat(task.attempts()).as("attempts of %s, running at the kill", id).isEqualTo(2);
			assertThat(task.worker()).as("worker of %s, running at the kill", id).isEqualTo(secondId);
			assertThat(task.startedAt()).as("startedAt of %s, running at the kill", id).isAfter(killed);
		}
		for (String id : notStarted) {
			TaskInfo task = after.get(id);
			assertThat(task.attempts()).as("attempts of %s, queued at the kill", id).isEqualTo(1);
			assertThat(task.worker()).as("worker of %s, queued at the kill", id).isEqualTo(secondId);
		}
	}

	@Test
	void aRedeliveredMessageOfAFinishedTaskIsAcknowledgedAndSkipped() throws Exception {
		WorkerProcess worker = startWorker("redelivery");
		List<TaskInfo> finished = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			finished.add(fleet.producer().client().enqueue("sample.echo", "value " + i).await(DEADLINE));
		}
		assertThat(finished).allSatisfy((task) -> assertThat(task.status()).isEqualTo(TaskStatus.FINISHED));

		// The same messages again, as the broker redelivers them when a worker dies
		// between
		// storing a task's outcome and acknowledging its message.
		TaskPublisher publisher = fleet.producer().getBean(TaskPublisher.class);
		for (TaskInfo task : finished) {
			publisher.publish(new TaskMessage(task.id(), task.name(), task.args(), task.kwargs()), null);
		}
		await("the worker skips every redelivered message").atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> finished.stream().allMatch((task) -> worker.log().contains("Skipping task " + task.id())));
		// Stopped, the worker's channel closes: a message it had not acknowledged would
		// be back.
		worker.stop();

		assertThat(fleet.producer().readyMessages(NAMES.queue())).as("messages back in the queue").isZero();
		for (TaskInfo task : finished) {
			TaskInfo now = fleet.producer().task(task.id());
			assertThat(now.status()).isEqualTo(TaskStatus.FINISHED);
			assertThat(now.attempts()).as("attempts of %s", task.id()).isEqualTo(1);
			assertThat(now.updatedAt()).as("updatedAt of %s", task.id()).isEqualTo(task.updatedAt());
		}
	}

	private static WorkerProcess startWorker(String label) throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.addAll(List.of("--max-running-tasks=10", "--amqp-tasks.worker.lease-ttl=" + LEASE.toSeconds() + "s",
				// Skipped messages are logged at debug level.
				"--logging.level.dev.amqptasks.worker.TaskRunner=debug"));
		return fleet.start(label, args);
	}

	private static long count(Map<String, TaskInfo> tasks, TaskStatus status) {
		return tasks.values().stream().filter((task) -> task.status() == status).count();
	}

	private static List<String> idsWith(Map<String, TaskInfo> tasks, Predicate<TaskInfo> condition) {
		return tasks.values().stream().filter(condition).map(TaskInfo::id).toList();
	}

	private static long skipped(WorkerProcess worker, List<String> ids) {
		String log = worker.log();
		return ids.stream().filter((id) -> log.contains("Skipping task " + id)).count();
	}

	private static double seconds(Instant from, Instant to) {
		return Duration.between(from, to).toMillis() / 1000.0;
	}

}
