package dev.amqptasks.worker;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.Channel;
import dev.amqptasks.AmqpTask;
import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.registry.InMemoryTaskRegistry;
import dev.amqptasks.spi.CancelTaskException;
import dev.amqptasks.spi.DeferTaskException;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskExecutionInterceptor;
import dev.amqptasks.spi.TaskHeaders;
import dev.amqptasks.task.TaskArguments;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskDefinition;
import dev.amqptasks.task.TaskInvoker;
import dev.amqptasks.task.TaskPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * Tests of {@link TaskRunner}'s decisions, with no broker: the in-memory registry, a
 * mocked channel and publisher.
 */
@Tag("fast")
class TaskRunnerTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final InMemoryTaskRegistry registry = new InMemoryTaskRegistry(json, Duration.ofHours(1),
			Clock.systemUTC());

	private final TaskPublisher publisher = mock(TaskPublisher.class);

	private final Channel channel = mock(Channel.class);

	private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor();

	private final CoalescedRegistryWrites writes = new CoalescedRegistryWrites(this.registry, "worker-1",
			Duration.ofSeconds(30));

	private final AtomicLong tags = new AtomicLong();

	private final List<String> seen = new CopyOnWriteArrayList<>();

	@AfterEach
	void close() {
		this.writes.close();
		this.timeouts.shutdownNow();
	}

	@Test
	void aTaskThatReturnsIsStoredFinishedAndItsMessageAcknowledged() throws Exception {
		Message message = aMessage("t-1", "unit.add", "[2,3]");

		runner().run(message, this.channel, null);

		TaskInfo task = this.registry.find("t-1").orElseThrow();
		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(task.result().asInt()).isEqualTo(5);
		verify(this.channel).basicAck(tag(message), false);
	}

	@Test
	void aFailedAttemptWithRetriesLeftIsStoredRetryingAndItsRetryPublished() throws Exception {
		Message message = aMessage("t-2", "unit.fail", "[\"boom\"]");

		runner().run(message, this.channel, null);

		assertThat(this.registry.find("t-2").orElseThrow().status()).isEqualTo(TaskStatus.RETRYING);
		verify(this.publisher).publish(any(TaskMessage.class), any(Duration.class));
		verify(this.channel).basicAck(tag(message), false);
	}

	@Test
	void aFailedAttemptWithNoRetryLeftIsStoredErroredAndDeadLettered() throws Exception {
		Message message = aMessage("t-3", "unit.fail-once", "[\"boom\"]");

		runner().run(message, this.channel, null);

		assertThat(this.registry.find("t-3").orElseThrow().status()).isEqualTo(TaskStatus.ERRORED);
		verify(this.publisher).deadLetter(eq(message), anyString(), any());
		verify(this.channel).basicAck(tag(message), false);
	}

	@Test
	void aMessageThatIsNotATaskIsDeadLettered() throws Exception {
		Message message = new Message("not json".getBytes(StandardCharsets.UTF_8), properties("t-4"));

		runner().run(message, this.channel, null);

		verify(this.publisher).deadLetter(eq(message), anyString(), any());
		verify(this.channel).basicAck(tag(message), false);
	}

	@Test
	void aMessageOfAnUnknownTaskIsPutBackForAWorkerThatKnowsIt() throws Exception {
		Message message = aMessage("t-5", "unit.unknown", "[]");

		runner().run(message, this.channel, null);

		verify(this.publisher).defer(message, Duration.ofSeconds(5));
		verify(this.channel).basicAck(tag(message), false);
		assertThat(message.getMessageProperties().<Object>getHeader(TaskHeaders.UNKNOWN_SINCE)).isNotNull();
	}

	@Test
	void interceptorsRunInTheirOrderAroundTheTask() {
		runner(recording("first"), recording("second")).run(aMessage("t-6", "unit.add", "[1,1]"), this.channel, null);

		assertThat(this.seen).containsExactly("first before unit.add t-6 1", "second before unit.add t-6 1",
				"second after 2", "first after 2");
	}

	@Test
	void aDeferringInterceptorLeavesTheTaskScheduledAndSendsItsMessageThroughTheDelayQueues() throws Exception {
		Message message = aMessage("t-7", "unit.add", "[1,1]");

		runner(recording("first"), (execution, chain) -> {
			throw new DeferTaskException(Duration.ofSeconds(3), "too busy");
		}, recording("never")).run(message, this.channel, null);

		TaskInfo task = this.registry.find("t-7").orElseThrow();
		assertThat(task.status()).isEqualTo(TaskStatus.SCHEDULED);
		assertThat(task.attempts()).isEqualTo(1);
		verify(this.publisher).defer(message, Duration.ofSeconds(3));
		verify(this.channel).basicAck(tag(message), false);
		assertThat(this.seen).containsExactly("first before unit.add t-7 1", "first threw DeferTaskException");
	}

	@Test
	void aCancelingInterceptorEndsTheTaskCanceledWithTheReasonInItsEventLog() throws Exception {
		Message message = aMessage("t-8", "unit.add", "[1,1]");

		runner((execution, chain) -> {
			throw new CancelTaskException("tenant suspended");
		}).run(message, this.channel, null);

		TaskInfo task = this.registry.find("t-8").orElseThrow();
		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(task.eventlog()).extracting(TaskEvent::message).contains("Canceled: tenant suspended");
		verify(this.publisher, never()).defer(any(), any());
		verify(this.channel).basicAck(tag(message), false);
	}

	@Test
	void anInterceptorsOwnFailureFailsTheAttempt() {
		runner((execution, chain) -> {
			throw new IllegalStateException("interceptor failed");
		}).run(aMessage("t-9", "unit.add", "[1,1]"), this.channel, null);

		TaskInfo task = this.registry.find("t-9").orElseThrow();
		assertThat(task.status()).isEqualTo(TaskStatus.RETRYING);
		assertThat(task.error().message()).isEqualTo("interceptor failed");
	}

	private TaskExecutionInterceptor recording(String name) {
		return (execution, chain) -> {
			this.seen.add(name + " before " + execution.name() + " " + execution.id() + " " + execution.attempt());
			try {
				Object result = chain.proceed();
				this.seen.add(name + " after " + result);
				return result;
			}
			catch (Throwable ex) {
				this.seen.add(name + " threw " + ex.getClass().getSimpleName());
				throw ex;
			}
		};
	}

	private TaskRunner runner(TaskExecutionInterceptor... interceptors) {
		TaskCatalog catalog = new TaskCatalog();
		UnitTasks tasks = new UnitTasks();
		ReflectionUtils.doWithMethods(UnitTasks.class,
				(method) -> catalog.register(TaskDefinition.of(method, () -> tasks)),
				(method) -> method.isAnnotationPresent(AmqpTask.class));
		TaskWorker.Settings settings = new TaskWorker.Settings(4, Duration.ofSeconds(5), Duration.ofSeconds(1),
				Duration.ofSeconds(30), 64 * 1024,
				new TaskPolicy(2, Duration.ofMillis(100), 1, Duration.ofMillis(100), 0, null, List.of()),
				Duration.ofSeconds(5), false, null, Duration.ofMinutes(5));
		return new TaskRunner(
				new TaskRunner.Collaborators(catalog, new TaskInvoker(new TaskArguments(json)), this.registry,
						this.publisher, json, Clock.systemUTC()),
				this.writes, new RunningTasks(), this.timeouts, "worker-1", settings, () -> false,
				TaskRunner.Observability.NONE, new TaskExecutionChain(List.of(interceptors)));
	}

	private Message aMessage(String id, String task, String args) {
		this.registry.create(new NewTask(id, task, args, "{}", 2));
		String body = "{\"id\":\"" + id + "\",\"task\":\"" + task + "\",\"args\":" + args + ",\"kwargs\":{}}";
		return new Message(body.getBytes(StandardCharsets.UTF_8), properties(id));
	}

	private MessageProperties properties(String id) {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(id);
		properties.setDeliveryTag(this.tags.incrementAndGet());
		return properties;
	}

	private static long tag(Message message) {
		return message.getMessageProperties().getDeliveryTag();
	}

	public static class UnitTasks {

		@AmqpTask("unit.add")
		public CompletableFuture<Integer> add(int a, int b) {
			return CompletableFuture.completedFuture(a + b);
		}

		@AmqpTask("unit.fail")
		public void fail(String message) {
			throw new IllegalStateException(message);
		}

		@AmqpTask(name = "unit.fail-once", maxRetries = 0)
		public void failOnce(String message) {
			throw new IllegalStateException(message);
		}

	}

}
