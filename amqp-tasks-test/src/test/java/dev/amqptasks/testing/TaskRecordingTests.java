package dev.amqptasks.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.amqptasks.AmqpTask;
import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskContext;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link AutoConfigureTaskRecording}: an application's own test, with no broker
 * and no Redis (RabbitMQ and Redis are pointed at a port nothing listens on, so any use
 * of them fails).
 */
@SpringBootTest(classes = TaskRecordingTests.TestApplication.class,
		properties = { "spring.rabbitmq.port=1", "spring.data.redis.port=1" })
@Tag("fast")
@AutoConfigureTaskRecording
class TaskRecordingTests {

	@Autowired
	private Greeter greeter;

	@Autowired
	private GreetingTasks tasks;

	@Autowired
	private TaskClient client;

	@Autowired
	private RecordedTasks recorded;

	@BeforeEach
	void clear() {
		this.recorded.runAll();
		this.recorded.clear();
		this.tasks.resetRuns();
	}

	@Test
	void aTaskEnqueuedByTheApplicationIsRecordedWithItsArgumentsAndDoesNotRun() {
		TaskHandle handle = this.greeter.welcome("ada");

		assertThat(this.recorded.enqueued("test.greet")).singleElement().satisfies((task) -> {
			assertThat(task.id()).isEqualTo(handle.id());
			assertThat(task.args()).isEqualTo(List.of("ada", 1));
		});
		assertThat(handle.status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(this.tasks.runs()).isZero();
	}

	@Test
	void runAllRunsTheEnqueuedTasksAndWhatTheyEnqueueInThisThread() {
		TaskHandle handle = this.greeter.welcome("grace");

		List<TaskInfo> ran = this.recorded.runAll();

		assertThat(ran).extracting(TaskInfo::name).containsExactly("test.greet", "test.log");
		TaskInfo greeted = this.recorded.find(handle.id());
		assertThat(greeted.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(greeted.eventlog()).extracting((event) -> event.message()).contains("greeting grace");
		assertThat(this.recorded.enqueued("test.log")).singleElement()
			.satisfies((task) -> assertThat(task.args()).isEqualTo(List.of("greeted grace")));
		assertThat(this.recorded.pending()).isEmpty();
		assertThat(this.tasks.runs()).isEqualTo(2);
	}

	@Test
	void aFutureOfATaskRunByRunAllCompletesWithItsResult() throws Exception {
		CompletableFuture<String> greeting = this.tasks.greet("alan", 2, null);
		assertThat(greeting).isNotDone();

		this.recorded.runAll();

		assertThat(greeting.get(java.time.Duration.ofSeconds(5).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
			.isEqualTo("hello alan");
	}

	@Test
	void aTaskThatThrowsEndsErrored() {
		TaskHandle handle = this.client.enqueue("test.fail", "no luck");

		this.recorded.runAll();

		TaskInfo failed = this.recorded.find(handle.id());
		assertThat(failed.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(failed.error().message()).isEqualTo("no luck");
	}

	@Test
	void aTaskCanceledBeforeItRunsIsSkipped() {
		TaskHandle handle = this.client.enqueue("test.greet", List.of(), Map.of("name", "bob", "times", 1));
		handle.cancel();

		assertThat(this.recorded.runAll()).isEmpty();
		assertThat(this.recorded.find(handle.id()).status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(this.tasks.runs()).isZero();
	}

	@Test
	void argumentsThatDoNotFitAreRefusedAndNothingIsRecorded() {
		assertThatExceptionOfType(InvalidTaskArgumentsException.class)
			.isThrownBy(() -> this.client.enqueue("test.greet", "ada", "not a number"));
		assertThat(this.recorded.enqueued()).isEmpty();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		GreetingTasks greetingTasks(ObjectProvider<GreetingTasks> self) {
			return new GreetingTasks(self);
		}

		@Bean
		Greeter greeter(GreetingTasks tasks) {
			return new Greeter(tasks);
		}

	}

	/**
	 * An application service that enqueues a task.
	 */
	static class Greeter {

		private final GreetingTasks tasks;

		Greeter(GreetingTasks tasks) {
			this.tasks = tasks;
		}

		TaskHandle welcome(String name) {
			return this.tasks.greetLater(name, 1);
		}

	}

	/**
	 * The application's tasks.
	 */
	public static class GreetingTasks {

		private final AtomicInteger runs = new AtomicInteger();

		private final ObjectProvider<GreetingTasks> self;

		GreetingTasks(ObjectProvider<GreetingTasks> self) {
			this.self = self;
		}

		public int runs() {
			return this.runs.get();
		}

		public void resetRuns() {
			this.runs.set(0);
		}

		@AmqpTask("test.greet")
		public TaskHandle greetLater(String name, int times) {
			this.runs.incrementAndGet();
			TaskContext.current().ifPresent((context) -> context.log("greeting " + name));
			this.self.getObject().log("greeted " + name);
			return null;
		}

		@AmqpTask("test.greet-future")
		public CompletableFuture<String> greet(String name, int times, TaskContext context) {
			this.runs.incrementAndGet();
			return CompletableFuture.completedFuture("hello " + name);
		}

		@AmqpTask("test.log")
		public void log(String message) {
			this.runs.incrementAndGet();
		}

		@AmqpTask("test.fail")
		public void fail(String message) {
			throw new IllegalStateException(message);
		}

	}

}
