package dev.amqptasks.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.CancelTaskException;
import dev.amqptasks.spi.DeferTaskException;
import dev.amqptasks.spi.TaskExecution;
import dev.amqptasks.spi.TaskExecutionInterceptor;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of execution interceptors, in a context of their own: two interceptors
 * record what they see around each attempt; the first defers tasks whose id says
 * {@code defer} on their first attempt, and cancels those whose id says {@code cancel}.
 */
@SpringBootTest(classes = { EndToEndTestApplication.class, TaskExecutionInterceptorEndToEndTests.Interceptors.class })
class TaskExecutionInterceptorEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final Duration DEFERRAL = Duration.ofMillis(1500);

	private static final String QUEUE = LocalServices.uniqueName("interceptors");

	private static final String PREFIX = LocalServices.uniqueName("interceptors");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		EndToEndTestApplication.properties(registry, QUEUE, PREFIX);
		registry.add("spring.autoconfigure.exclude", () -> EndToEndTestApplication.SECURITY_AUTO_CONFIGURATIONS);
	}

	@Autowired
	private TaskClient client;

	@Autowired
	private Recorder recorder;

	@Test
	void interceptorsRunInTheirOrderAroundTheTaskAndSeeItsResult() throws Exception {
		String id = LocalServices.uniqueName("ordered");

		TaskInfo task = this.client.enqueue("test.add", List.of(2, 3), Map.of(), EnqueueOptions.withId(id))
			.await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(this.recorder.of(id)).containsExactly("first before test.add attempt 1",
				"second before test.add attempt 1", "second after 5", "first after 5");
	}

	@Test
	void interceptorsSeeTheTasksException() throws Exception {
		String id = LocalServices.uniqueName("failing");

		TaskInfo task = this.client.enqueue("test.fail", List.of("boom"), Map.of(), EnqueueOptions.withId(id))
			.await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(this.recorder.of(id)).containsExactly("first before test.fail attempt 1",
				"second before test.fail attempt 1", "second threw IllegalStateException",
				"first threw IllegalStateException");
	}

	@Test
	void aDeferredTaskStaysScheduledAndRunsAfterTheDelay() throws Exception {
		String id = LocalServices.uniqueName("defer");
		Instant enqueued = Instant.now();

		TaskHandle handle = this.client.enqueue("test.add", List.of(1, 1), Map.of(), EnqueueOptions.withId(id));

		await().atMost(TIMEOUT).until(() -> this.recorder.of(id).contains("first threw DeferTaskException"));
		assertThat(handle.status()).isEqualTo(TaskStatus.SCHEDULED);
		TaskInfo task = handle.await(TIMEOUT);
		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(task.result().asInt()).isEqualTo(2);
		// The deferred attempt counts.
		assertThat(task.attempts()).isEqualTo(2);
		assertThat(task.startedAt()).isAfterOrEqualTo(enqueued.plus(DEFERRAL));
		// The first interceptor declined before the second was called; it saw its own
		// deferral.
		assertThat(this.recorder.of(id)).containsExactly("first before test.add attempt 1",
				"first threw DeferTaskException", "first before test.add attempt 2", "second before test.add attempt 2",
				"second after 2", "first after 2");
	}

	@Test
	void aCanceledTaskNeverRunsAndItsEventLogSaysWhy() throws Exception {
		String id = LocalServices.uniqueName("cancel");

		TaskInfo task = this.client.enqueue("test.add", List.of(1, 1), Map.of(), EnqueueOptions.withId(id))
			.await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(task.result()).isNull();
		assertThat(this.recorder.of(id)).containsExactly("first before test.add attempt 1",
				"first threw CancelTaskException");
		assertThat(task.eventlog()).extracting(TaskEvent::message).contains("Canceled: tenant suspended");
	}

	/** What the interceptors saw, by task id. */
	static final class Recorder {

		private final Map<String, List<String>> seen = new ConcurrentHashMap<>();

		void record(TaskExecution execution, String what) {
			this.seen.computeIfAbsent(execution.id(), (id) -> new CopyOnWriteArrayList<>()).add(what);
		}

		List<String> of(String id) {
			return this.seen.getOrDefault(id, List.of());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Interceptors {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		// Declared before the first: the order is @Order's.
		@Bean
		@Order(2)
		TaskExecutionInterceptor second(Recorder recorder) {
			return recording("second", recorder);
		}

		@Bean
		@Order(1)
		TaskExecutionInterceptor first(Recorder recorder) {
			Set<String> deferred = ConcurrentHashMap.newKeySet();
			TaskExecutionInterceptor declining = (execution, chain) -> {
				if (execution.id().contains("-cancel-")) {
					throw new CancelTaskException("tenant suspended");
				}
				if (execution.id().contains("-defer-") && deferred.add(execution.id())) {
					throw new DeferTaskException(DEFERRAL, "not yet");
				}
				return chain.proceed();
			};
			TaskExecutionInterceptor recording = recording("first", recorder);
			return (execution, chain) -> recording.intercept(execution, () -> declining.intercept(execution, chain));
		}

		private static TaskExecutionInterceptor recording(String name, Recorder recorder) {
			return (execution, chain) -> {
				recorder.record(execution, name + " before " + execution.name() + " attempt " + execution.attempt());
				try {
					Object result = chain.proceed();
					recorder.record(execution, name + " after " + result);
					return result;
				}
				catch (Throwable ex) {
					recorder.record(execution, name + " threw " + ex.getClass().getSimpleName());
					throw ex;
				}
			};
		}

	}

}
