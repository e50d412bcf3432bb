package dev.amqptasks.client;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.DelayLadder;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.registry.InMemoryTaskRegistry;
import dev.amqptasks.task.TaskArguments;
import dev.amqptasks.task.TaskCatalog;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the deadline of an enqueue in {@link TaskEnqueuer}, against a broker that
 * takes connections and never answers.
 */
class TaskEnqueuerDeadlineTests {

	private static final Duration CONFIRM_TIMEOUT = Duration.ofMillis(500);

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void anEnqueueWhoseBatchHangsFailsAfterTheConfirmTimeoutSayingTheTaskMayStillBeEnqueued() throws Exception {
		// The kernel completes the connection; nothing ever answers the AMQP handshake.
		ServerSocket frozenBroker = new ServerSocket(0);
		CachingConnectionFactory connections = new CachingConnectionFactory("127.0.0.1", frozenBroker.getLocalPort());
		connections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
		connections.setPublisherReturns(true);
		connections.setConnectionTimeout(60_000);
		connections.getRabbitConnectionFactory().setHandshakeTimeout(60_000);
		InMemoryTaskRegistry registry = new InMemoryTaskRegistry(this.json, Duration.ofHours(1), Clock.systemUTC());
		TaskPublisher publisher = new TaskPublisher(new RabbitTemplate(connections),
				new TaskTopology("frozen", "frozen", Duration.ofDays(1), new DelayLadder()), this.json, CONFIRM_TIMEOUT,
				Clock.systemUTC());
		TaskEnqueuer enqueuer = new TaskEnqueuer(new TaskCatalog(), new TaskArguments(this.json), registry, publisher,
				this.json, 0);
		try {
			long start = System.nanoTime();

			assertThatExceptionOfType(TaskEnqueueException.class)
				.isThrownBy(() -> enqueuer.enqueue("any.task", null, null, EnqueueOptions.withId("stuck-1")))
				.withMessageContaining("'stuck-1'")
				.withMessageContaining("may still be enqueued");

			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CONFIRM_TIMEOUT.plusSeconds(2));
			// Stored before it was published: the exception rightly does not say it
			// failed.
			assertThat(registry.find("stuck-1").orElseThrow().status()).isEqualTo(TaskStatus.SCHEDULED);
		}
		finally {
			// The handshake fails at once, which ends the batch.
			frozenBroker.close();
			enqueuer.close();
			connections.destroy();
		}
	}

}
