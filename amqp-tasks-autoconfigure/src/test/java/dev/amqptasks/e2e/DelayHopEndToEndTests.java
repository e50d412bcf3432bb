package dev.amqptasks.e2e;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.DelayLadder;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of delays longer than the top step of the delay ladder, with a top of
 * 1.75 s instead of 43 days so that the hops happen within the test.
 */
@SpringBootTest(classes = { EndToEndTestApplication.class, DelayHopEndToEndTests.SmallLadder.class })
class DelayHopEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	/** What a loaded machine may add to a delay: the enqueue, each hop and the start. */
	private static final Duration LATENCY = Duration.ofMillis(500);

	private static final String QUEUE = LocalServices.uniqueName("hops");

	private static final String PREFIX = LocalServices.uniqueName("hops");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		EndToEndTestApplication.properties(registry, QUEUE, PREFIX);
		registry.add("spring.autoconfigure.exclude", () -> EndToEndTestApplication.SECURITY_AUTO_CONFIGURATIONS);
	}

	@Autowired
	private TaskClient client;

	@Test
	void aDelayLongerThanTheTopStepHopsUntilItEndsAndTheTaskStaysScheduledMeanwhile() throws Exception {
		Duration delay = Duration.ofSeconds(5);
		Instant called = Instant.now();

		TaskHandle handle = this.client.enqueue("test.add", List.of(2, 3), Map.of(), EnqueueOptions.withDelay(delay));

		Instant returned = Instant.now();
		// Through two hops of the top step: still waiting, and not started.
		await().during(Duration.ofMillis(3_500))
			.atMost(Duration.ofMillis(4_900))
			.until(() -> handle.status() == TaskStatus.SCHEDULED && handle.info().attempts() == 0);
		TaskInfo task = handle.await(TIMEOUT);
		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(task.result().asInt()).isEqualTo(5);
		assertThat(task.attempts()).isEqualTo(1);
		assertThat(task.startedAt()).isAfterOrEqualTo(called.truncatedTo(ChronoUnit.MILLIS).plus(delay))
			.isBefore(returned.plus(delay).plusMillis(150).plus(LATENCY));
	}

	@Test
	void aRetryLongerThanTheTopStepHopsToo() throws Exception {
		TaskInfo task = this.client.enqueue("test.backoff-beyond-the-top").await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(task.attempts()).isEqualTo(2);
		List<Instant> starts = task.eventlog()
			.stream()
			.filter((event) -> event.message().startsWith("attempt "))
			.map(TaskEvent::at)
			.toList();
		assertThat(starts).hasSize(2);
		Duration betweenAttempts = Duration.between(starts.get(0), starts.get(1));
		assertThat(betweenAttempts).isBetween(Duration.ofMillis(3_000), Duration.ofMillis(3_000 + 90).plus(LATENCY));
	}

	/** A ladder whose top step is 1.75 s. */
	@Configuration(proxyBeanMethods = false)
	static class SmallLadder {

		@Bean
		DelayLadder smallDelayLadder() {
			return new DelayLadder(Duration.ofSeconds(2));
		}

	}

}
