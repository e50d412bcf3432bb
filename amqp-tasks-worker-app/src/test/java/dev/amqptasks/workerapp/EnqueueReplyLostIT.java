package dev.amqptasks.workerapp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.test.LocalServices.Endpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A producer whose Redis runs the {@code create} script but whose reply is lost (a
 * timeout, or a connection dropped before the reply). Whatever the enqueue then answers,
 * a task the registry holds as {@code scheduled} must have a message, or it never runs.
 * The producer reaches Redis through a {@link TcpProxy} that drops replies; no worker
 * runs, the test counts the messages in the queue.
 */
class EnqueueReplyLostIT {

	/**
	 * Long enough for the client to reconnect and send the script again before it times
	 * out.
	 */
	private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(5);

	private static final TaskNames NAMES = TaskNames.unique("reply-lost");

	private static TcpProxy proxy;

	private static ProducerContext direct;

	private static ProducerContext proxied;

	@BeforeAll
	static void startProxyAndProducers() throws Exception {
		Endpoint redis = LocalServices.redis();
		proxy = TcpProxy.start(redis.host(), redis.port(), 8);
		direct = ProducerContext.start(NAMES);
		List<String> args = new ArrayList<>(NAMES.args(new Endpoint("127.0.0.1", proxy.port())));
		args.add("--spring.data.redis.timeout=" + REDIS_TIMEOUT.toMillis() + "ms");
		proxied = ProducerContext.start(NAMES, args);
	}

	@AfterAll
	static void stopEverythingAndRemoveWhatTheTestCreated() throws InterruptedException {
		try {
			if (proxied != null) {
				proxied.close();
			}
			if (proxy != null) {
				proxy.close();
			}
		}
		finally {
			if (direct != null) {
				direct.close();
			}
		}
	}

	@Test
	void anEnqueueRetriedWithTheSameIdAfterARegistryTimeoutPublishesTheTask() {
		String id = "timed-out-" + UUID.randomUUID();
		warmUp();
		int before = direct.readyMessages(NAMES.queue());
		Throwable first;
		try {
			proxy.stall();
			first = catchThrowable(() -> enqueue(id));
		}
		finally {
			proxy.cut();
			proxy.restore();
		}
		assertThat(first).as("the first enqueue").isInstanceOf(TaskEnqueueException.class);
		assertThat(direct.task(id).status()).as("the task Redis stored without telling")
			.isEqualTo(TaskStatus.SCHEDULED);

		// The caller does what an idempotent id is for: it tries again.
		TaskHandle handle = await("an enqueue once Redis answers").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(500))
			.ignoreExceptionsInstanceOf(TaskEnqueueException.class)
			.until(() -> enqueue(id), (enqueued) -> enqueued != null);

		assertThat(handle.status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(direct.readyMessages(NAMES.queue()) - before).as("messages for the scheduled task").isEqualTo(1);
	}

	@Test
	void anEnqueueWhoseRegistryReplyIsLostWithItsConnectionPublishesTheTask() throws Exception {
		String id = "reply-lost-" + UUID.randomUUID();
		warmUp();
		int before = direct.readyMessages(NAMES.queue());
		CompletableFuture<TaskHandle> enqueued;
		try {
			proxy.stall();
			enqueued = CompletableFuture.supplyAsync(() -> enqueue(id));
			await("Redis ran the create script").atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> direct.registry().find(id).isPresent());
		}
		finally {
			proxy.cut();
			proxy.restore();
		}
		// The client reconnects and sends the script again: it finds the task it created
		// itself.
		TaskHandle handle = enqueued.get(60, TimeUnit.SECONDS);

		assertThat(handle.status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(direct.readyMessages(NAMES.queue()) - before).as("messages for the scheduled task").isEqualTo(1);
	}

	/**
	 * Enqueues through the proxy until it works: the client is connected and Redis has
	 * the registry's scripts, so that a stalled proxy drops only the reply to the script
	 * itself.
	 */
	private static void warmUp() {
		await("an enqueue through the proxy").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> enqueue("warm-up-" + UUID.randomUUID()) != null);
	}

	private static TaskHandle enqueue(String id) {
		return proxied.client().enqueue("sample.echo", List.of(id), Map.of(), EnqueueOptions.withId(id));
	}

}
