package dev.amqptasks.workerapp;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.test.LocalServices.Endpoint;
import dev.amqptasks.testsupport.WorkerProcess;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker whose broker connection silently stops carrying bytes (a frozen network: both
 * sockets stay open, nothing arrives) is found out by its beacon, not by AMQP heartbeats:
 * its health turns DOWN after three beacon periods and the worker app exits with status
 * 3, so that its supervisor starts a fresh one. A connection that is dropped and comes
 * back is a normal reconnect: the worker survives it. The worker's RabbitMQ connection
 * goes through a {@link TcpProxy}; its producer and Redis are reached directly.
 */
class FrozenConnectionIT {

	private static final Duration BEACON_TTL = Duration.ofSeconds(1);

	/**
	 * For the reconnect. The worker counts its beacon from the new connection (the beacon
	 * in flight vanished with the exclusive queues), but the listener container may take
	 * seconds to restart its consumers on a loaded machine: 5 s leaves room.
	 */
	private static final Duration RECONNECT_BEACON_TTL = Duration.ofSeconds(5);

	/**
	 * Far longer than the test: heartbeats must not be what notices the frozen
	 * connection.
	 */
	private static final Duration HEARTBEAT = Duration.ofSeconds(60);

	/**
	 * Health turns DOWN after 3 x ttl without a beacon; a margin for a loaded machine.
	 */
	private static final Duration DOWN_WITHIN = BEACON_TTL.multipliedBy(3).plusSeconds(3);

	/**
	 * The exit follows within a beacon period; a stuck orderly exit is halted 10 s later.
	 */
	private static final Duration EXIT_WITHIN = BEACON_TTL.multipliedBy(3).plusSeconds(15);

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	private static final Duration POLL = Duration.ofMillis(200);

	private static final TaskNames NAMES = TaskNames.unique("frozen-connection");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void aWorkerWhoseConnectionFreezesTurnsDownAfterThreeBeaconPeriodsAndExitsWithStatusThree() throws Exception {
		TcpProxy proxy = startProxy();
		WorkerProcess worker = startWorker("frozen", proxy, BEACON_TTL);
		try {
			awaitUpWithABeacon(worker);

			proxy.freeze();
			long frozenAt = System.nanoTime();
			List<String> unanswered = new CopyOnWriteArrayList<>();
			await("amqpTasks DOWN after the freeze").atMost(DOWN_WITHIN)
				.pollDelay(Duration.ZERO)
				.pollInterval(POLL)
				.until(() -> amqpTasksStatusAfterFreeze(worker, frozenAt, unanswered), "DOWN"::equals);
			double down = secondsSince(frozenAt);
			OptionalInt status = worker.awaitExit(EXIT_WITHIN.minusNanos(System.nanoTime() - frozenAt));
			double exit = secondsSince(frozenAt);
			if (status.isPresent()) {
				System.out.printf(
						"frozen connection: DOWN after %.1f s, exit (status %d) after %.1f s (beacon ttl %d s)%n", down,
						status.getAsInt(), exit, BEACON_TTL.toSeconds());
			}
			else {
				System.out.printf("frozen connection: DOWN after %.1f s, no exit within %d s (beacon ttl %d s)%n", down,
						EXIT_WITHIN.toSeconds(), BEACON_TTL.toSeconds());
				// What its beacon thread, which should have ended it, waits for.
				Arrays.stream(worker.threadDump().split("\n\n"))
					.filter((thread) -> thread.startsWith("\"amqp-tasks-beacon"))
					.forEach((thread) -> System.out.println("The worker did not exit; its beacon thread:\n" + thread));
			}

			SoftAssertions.assertSoftly((softly) -> {
				softly.assertThat(status)
					.as("exit status of the worker within %s of the freeze", EXIT_WITHIN)
					.hasValue(3);
				softly.assertThat(worker.log()).contains("Exiting with status 3: no beacon came back");
				softly.assertThat(unanswered)
					.as("/actuator/health requests left unanswered for 1 s after the freeze")
					.isEmpty();
			});
		}
		finally {
			worker.kill();
			// The broker keeps a frozen connection, and its consumer on the test's queue,
			// until its
			// heartbeat timeout: closing the proxy's sockets ends it now, before the next
			// test.
			proxy.close();
		}
	}

	@Test
	void aConnectionDroppedAndAcceptedAgainIsANormalReconnectThatTheWorkerSurvives() throws Exception {
		TcpProxy proxy = startProxy();
		WorkerProcess worker = startWorker("reconnects", proxy, RECONNECT_BEACON_TTL);
		try {
			awaitUpWithABeacon(worker);
			int connections = proxy.accepted();
			Instant lastBeaconBefore = lastBeacon(amqpTasks(worker));

			// Every connection is closed under the worker; its next attempt gets through.
			proxy.cut();
			proxy.restore();
			Instant droppedAt = Instant.now();
			JsonNode resumed = await("beacons resume and amqpTasks is UP again").atMost(DEADLINE)
				.pollDelay(Duration.ZERO)
				.pollInterval(POLL)
				.until(() -> amqpTasks(worker), (health) -> "UP".equals(health.path("status").asString(""))
						&& lastBeacon(health) != null && lastBeacon(health).isAfter(droppedAt));
			double resumedAfter = secondsSince(droppedAt);
			String id = fleet.producer().client().enqueue("sample.echo", "after the reconnect").id();
			TaskInfo task = await("a task enqueued after the reconnect final").atMost(DEADLINE)
				.pollInterval(POLL)
				.until(() -> fleet.producer().task(id), (info) -> info.status().isFinal());
			System.out.printf(
					"reconnect: connection dropped, beacon back and UP after %.1f s, no beacon for %.1f s "
							+ "(DOWN after %d s), a task finished %.1f s after the drop (beacon ttl %d s)%n",
					resumedAfter, Duration.between(lastBeaconBefore, lastBeacon(resumed)).toMillis() / 1000.0,
					RECONNECT_BEACON_TTL.multipliedBy(3).toSeconds(), secondsSince(droppedAt),
					RECONNECT_BEACON_TTL.toSeconds());

			assertThat(proxy.accepted()).as("connections through the proxy").isGreaterThan(connections);
			assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
			assertThat(task.worker()).isEqualTo(worker.id());
			assertThat(worker.isAlive()).as("the worker is alive after the reconnect").isTrue();
			assertThat(worker.log()).doesNotContain("Exiting with status");
		}
		finally {
			worker.kill();
			proxy.close();
		}
	}

	private static TcpProxy startProxy() throws IOException {
		Endpoint rabbit = LocalServices.rabbit();
		TcpProxy proxy = TcpProxy.start(rabbit.host(), rabbit.port(), 8);
		fleet.closeAfterAll(proxy);
		return proxy;
	}

	private static WorkerProcess startWorker(String label, TcpProxy rabbit, Duration beaconTtl) throws IOException {
		List<String> args = new ArrayList<>(
				NAMES.args(new Endpoint("127.0.0.1", rabbit.port()), LocalServices.redis()));
		args.addAll(List.of("--max-running-tasks=2", "--amqp-tasks.beacon.ttl=" + beaconTtl.toMillis() + "ms",
				"--spring.rabbitmq.requested-heartbeat=" + HEARTBEAT.toSeconds() + "s"));
		return fleet.start(label, args);
	}

	private static void awaitUpWithABeacon(WorkerProcess worker) {
		await("amqpTasks UP with a beacon").atMost(DEADLINE)
			.pollDelay(Duration.ZERO)
			.pollInterval(POLL)
			.until(() -> amqpTasks(worker),
					(health) -> "UP".equals(health.path("status").asString("")) && lastBeacon(health) != null);
	}

	/**
	 * The {@code amqpTasks} component of the worker's health, or a missing node when the
	 * worker does not answer within a second.
	 */
	private static JsonNode amqpTasks(WorkerProcess worker) throws InterruptedException {
		return amqpTasks(worker, "/actuator/health");
	}

	private static JsonNode amqpTasks(WorkerProcess worker, String path) throws InterruptedException {
		assertThat(worker.isAlive()).as("%s is alive", worker).isTrue();
		try {
			HttpResponse<String> response = worker.get(path, Duration.ofSeconds(1));
			return JSON.readTree(response.body()).path("components").path("amqpTasks");
		}
		catch (IOException ex) {
			return JSON.missingNode();
		}
	}

	/**
	 * The status of {@code amqpTasks} in {@code /actuator/health}; when that does not
	 * answer within a second (noted in {@code unanswered}), in the readiness group, which
	 * has fewer components to wait for.
	 */
	private static String amqpTasksStatusAfterFreeze(WorkerProcess worker, long frozenAt, List<String> unanswered)
			throws InterruptedException {
		JsonNode health = amqpTasks(worker, "/actuator/health");
		if (health.isMissingNode()) {
			unanswered.add(String.format("at %.1f s", secondsSince(frozenAt)));
			health = amqpTasks(worker, "/actuator/health/readiness");
		}
		return health.path("status").asString("(no answer)");
	}

	private static Instant lastBeacon(JsonNode amqpTasks) {
		String value = amqpTasks.path("details").path("lastBeacon").asString("none yet");
		return value.equals("none yet") ? null : Instant.parse(value);
	}

	private static double secondsSince(long nanos) {
		return (System.nanoTime() - nanos) / 1e9;
	}

	private static double secondsSince(Instant instant) {
		return Duration.between(instant, Instant.now()).toMillis() / 1000.0;
	}

}
