package dev.amqptasks.workerapp;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.test.LocalServices.Endpoint;
import dev.amqptasks.testsupport.WorkerProcess;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis unreachable from a worker loses no task: the worker does not acknowledge a task
 * whose state it could not store, so the task is stored once Redis is back, or runs again
 * if its worker died meanwhile. The shared Redis server is never stopped: the worker JVM
 * reaches it through a {@link TcpProxy} that the test cuts, while the producer talks to
 * it directly.
 */
class RedisOutageIT {

	private static final Duration LEASE = Duration.ofSeconds(3);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private static final String CANNOT_STORE = "Could not store the task's state";

	private static final TaskNames NAMES = TaskNames.unique("redis-outage");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	private static TcpProxy proxy;

	@BeforeAll
	static void startProxy() throws IOException {
		Endpoint redis = LocalServices.redis();
		proxy = fleet.closeAfterAll(TcpProxy.start(redis.host(), redis.port(), 16));
	}

	@Test
	void tasksThatFinishWhileRedisIsUnreachableAreStoredOnceItIsBackAndNoneIsLost() throws Exception {
		WorkerProcess worker = startWorker("stores-late", true);
		try {
			List<String> ids = enqueueSleeps(10, 2.0);
			await("some tasks running").atMost(DEADLINE)
				.pollInterval(Duration.ofMillis(50))
				.until(() -> fleet.producer().tasks(ids), (tasks) -> count(tasks, TaskStatus.RUNNING) >= 3);
			Instant cutAt = Instant.now();
			List<String> runningAtCut;
			Instant restoredAt;
			try {
				proxy.cut();
				// The producer reaches Redis directly: the state the worker could store
				// before the cut.
				runningAtCut = idsWith(fleet.producer().tasks(ids), TaskStatus.RUNNING);
				assertThat(runningAtCut).as("tasks running at the cut").isNotEmpty();
				// The running tasks end within 2 s; their outcome cannot be stored.
				await("the worker fails to store an outcome").atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> worker.log().contains(CANNOT_STORE));
				assertThat(fleet.producer().tasks(runningAtCut).values())
					.as("tasks running at the cut, while Redis is away")
					.allSatisfy((task) -> assertThat(task.status()).isEqualTo(TaskStatus.RUNNING));
			}
			finally {
				proxy.restore();
				restoredAt = Instant.now();
			}
			Map<String, TaskInfo> after = awaitFinal(ids);
			long lost = after.values().stream().filter((task) -> task.status() != TaskStatus.FINISHED).count();
			long runAgain = after.values().stream().filter((task) -> task.attempts() > 1).count();
			System.out.printf(
					"redis outage test: %d tasks, %d lost, %d stored after Redis was back, %d run again; "
							+ "Redis away for %.1f s, all final %.1f s after it was back%n",
					ids.size(), lost, runningAtCut.size(), runAgain, seconds(cutAt, restoredAt),
					seconds(restoredAt, Instant.now()));

			assertThat(after.values()).as("no task is lost").allSatisfy((task) -> {
				assertThat(task.status()).as("status of %s", task.id()).isEqualTo(TaskStatus.FINISHED);
				assertThat(task.error()).as("error of %s", task.id()).isNull();
			});
			for (String id : runningAtCut) {
				TaskInfo task = after.get(id);
				assertThat(task.finishedAt()).as("finishedAt of %s, running at the cut", id).isAfter(cutAt);
				assertThat(task.worker()).as("worker of %s", id).isEqualTo(worker.id());
			}
		}
		finally {
			worker.stop();
		}
	}

	@Test
	void aWorkerThatDiesWhileRedisIsUnreachableLeavesItsTasksUnacknowledgedAndTheyRunAgain() throws Exception {
		WorkerProcess first = startWorker("dies", true);
		List<String> ids;
		try {
			ids = enqueueSleeps(5, 1.0);
			await("every task running").atMost(DEADLINE)
				.pollInterval(Duration.ofMillis(50))
				.until(() -> fleet.producer().tasks(ids), (tasks) -> count(tasks, TaskStatus.RUNNING) == ids.size());
			try {
				proxy.cut();
				// The tasks end within a second; their outcome cannot be stored, so their
				// messages
				// must stay unacknowledged.
				await("the worker fails to store an outcome").atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> first.log().contains(CANNOT_STORE));
				first.kill();
			}
			finally {
				proxy.restore();
			}
		}
		finally {
			first.stop();
		}
		assertThat(fleet.producer().tasks(ids).values()).as("tasks whose worker died before storing their outcome")
			.allSatisfy((task) -> assertThat(task.status()).isEqualTo(TaskStatus.RUNNING));
		WorkerProcess second = startWorker("runs-again", false);
		try {
			Map<String, TaskInfo> after = awaitFinal(ids);
			long lost = after.values().stream().filter((task) -> task.status() != TaskStatus.FINISHED).count();
			long runAgain = after.values().stream().filter((task) -> task.attempts() == 2).count();
			System.out.printf(
					"redis outage test (worker killed while Redis was away): %d tasks, %d lost, %d run again%n",
					ids.size(), lost, runAgain);

			assertThat(after.values()).as("every task runs again on the second worker").allSatisfy((task) -> {
				assertThat(task.status()).as("status of %s", task.id()).isEqualTo(TaskStatus.FINISHED);
				assertThat(task.attempts()).as("attempts of %s", task.id()).isEqualTo(2);
				assertThat(task.worker()).as("worker of %s", task.id()).isEqualTo(second.id());
			});
		}
		finally {
			second.stop();
		}
	}

	/**
	 * Starts a worker whose Redis is the proxy, or the real one.
	 */
	private static WorkerProcess startWorker(String label, boolean throughProxy) throws IOException {
		Endpoint redis = throughProxy ? new Endpoint("127.0.0.1", proxy.port()) : LocalServices.redis();
		List<String> args = new ArrayList<>(NAMES.args(redis));
		args.addAll(List.of("--max-running-tasks=5", "--amqp-tasks.worker.lease-ttl=" + LEASE.toSeconds() + "s",
				// Registry writes fail within 2 s rather than wait a minute for Redis to
				// come back.
				"--spring.data.redis.timeout=2s"));
		return fleet.start(label, args);
	}

	private static List<String> enqueueSleeps(int count, double seconds) {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ids.add(fleet.producer().client().enqueue("sample.sleep", seconds).id());
		}
		return ids;
	}

	private static Map<String, TaskInfo> awaitFinal(List<String> ids) {
		try {
			await("every task final").atMost(DEADLINE)
				.pollInterval(Duration.ofMillis(200))
				.until(() -> fleet.producer().tasks(ids),
						(tasks) -> tasks.values().stream().allMatch((t) -> t.status().isFinal()));
		}
		catch (ConditionTimeoutException ex) {
			// The assertions below say which tasks are not final.
		}
		return fleet.producer().tasks(ids);
	}

	private static long count(Map<String, TaskInfo> tasks, TaskStatus status) {
		return tasks.values().stream().filter((task) -> task.status() == status).count();
	}

	private static List<String> idsWith(Map<String, TaskInfo> tasks, TaskStatus status) {
		return tasks.values().stream().filter((task) -> task.status() == status).map(TaskInfo::id).toList();
	}

	private static double seconds(Instant from, Instant to) {
		return Duration.between(from, to).toMillis() / 1000.0;
	}

}
