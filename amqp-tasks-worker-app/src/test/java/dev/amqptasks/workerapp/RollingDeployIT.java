package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.testsupport.WorkerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.amqp.core.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * During a rolling deploy some workers do not know a task yet (an older version, or a
 * worker started without the task's jar on {@code -Dloader.path}). Such a worker puts the
 * task back for a worker that knows it, for
 * {@code amqp-tasks.worker.unknown-task-timeout}, and only then dead-letters it with a
 * reason naming the task. A worker that knows no task at all says so in a WARN line at
 * startup.
 */
class RollingDeployIT {

	private static final Duration UNKNOWN_TASK_TIMEOUT = Duration.ofSeconds(5);

	/** How long a task no worker knows must stay {@code scheduled}. */
	private static final Duration PUT_BACK_FOR = Duration.ofSeconds(5);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final TaskNames NAMES = TaskNames.unique("rolling-deploy");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	@Test
	void aWorkerWithoutTheTasksJarWarnsThatItKnowsNoTasksAndPutsATaskBackUntilAWorkerThatKnowsItRunsIt()
			throws Exception {
		List<String> args = new ArrayList<>(NAMES.args());
		// Far longer than this test, as the default is.
		args.add("--amqp-tasks.worker.unknown-task-timeout=5m");
		WorkerProcess withoutTasks = fleet.startWithoutTasks("without-tasks", args);
		WorkerProcess knowing = null;
		try {
			TaskHandle add = fleet.producer().client().enqueue("sample.add", 1, 2);
			await("the task stays scheduled on a worker that does not know it").during(PUT_BACK_FOR)
				.atMost(PUT_BACK_FOR.plusSeconds(3))
				.pollInterval(Duration.ofMillis(100))
				.untilAsserted(() -> {
					TaskInfo task = add.info();
					assertThat(task.status())
						.as("status of %s on the worker without the tasks jar (error %s)", add.id(), task.error())
						.isEqualTo(TaskStatus.SCHEDULED);
				});

			knowing = fleet.start("with-tasks", NAMES.args());
			long knowingStarted = System.nanoTime();
			TaskInfo task = add.await(DEADLINE);
			System.out.printf("rolling deploy: the task ended %s %.1f s after a worker that knows it started%n",
					task.status().value(), (System.nanoTime() - knowingStarted) / 1e9);

			assertThat(task.status()).as("status (error %s)", task.error()).isEqualTo(TaskStatus.FINISHED);
			assertThat(task.result().asInt()).as("result").isEqualTo(3);
			assertThat(task.worker()).as("worker: the one that knows the task").isEqualTo(knowing.id());
			assertThat(task.error()).as("error").isNull();
			assertThat(withoutTasks.logLines("WARN", "knows no tasks"))
				.as("WARN lines of the worker without the tasks jar")
				.isNotEmpty();
			assertThat(knowing.logLines("knows no tasks")).as("lines of the worker with the tasks jar").isEmpty();
		}
		finally {
			withoutTasks.kill();
			if (knowing != null) {
				knowing.kill();
			}
		}
	}

	@Test
	void aTaskNoWorkerKnowsEndsErroredWithAReasonNamingItAfterTheUnknownTaskTimeout() throws Exception {
		List<String> args = new ArrayList<>(NAMES.args());
		args.add("--amqp-tasks.worker.unknown-task-timeout=" + UNKNOWN_TASK_TIMEOUT.toSeconds() + "s");
		WorkerProcess withoutTasks = fleet.startWithoutTasks("without-tasks-timeout", args);
		try {
			long enqueuedAt = System.nanoTime();
			TaskHandle add = fleet.producer().client().enqueue("sample.add", 1, 2);
			TaskInfo task = add.await(UNKNOWN_TASK_TIMEOUT.plus(DEADLINE));
			double ended = (System.nanoTime() - enqueuedAt) / 1e9;
			System.out.printf(
					"rolling deploy: the task no worker knows ended %s %.1f s after the enqueue "
							+ "(unknown-task-timeout %d s): %s%n",
					task.status().value(), ended, UNKNOWN_TASK_TIMEOUT.toSeconds(), task.error());
			Message deadLetter = fleet.producer().rabbit().receive(NAMES.queue() + "-error", 10_000);

			assertThat(task.status()).as("status").isEqualTo(TaskStatus.ERRORED);
			assertThat(ended).as("seconds from the enqueue to errored: about the unknown-task timeout")
				.isGreaterThanOrEqualTo(UNKNOWN_TASK_TIMEOUT.toMillis() / 1000.0 - 1)
				.isLessThanOrEqualTo(UNKNOWN_TASK_TIMEOUT.toSeconds() + 20);
			assertThat(task.error()).as("error").isNotNull();
			assertThat(task.error().type()).as("error type").isNotBlank();
			assertThat(task.error().message()).as("error message").contains("sample.add");
			assertThat(task.attempts()).as("attempts: it never ran").isZero();
			assertThat(deadLetter).as("the task's message in the error queue").isNotNull();
			assertThat(deadLetter.getMessageProperties().getMessageId()).as("message id of the dead letter")
				.isEqualTo(add.id());
		}
		finally {
			withoutTasks.kill();
		}
	}

}
