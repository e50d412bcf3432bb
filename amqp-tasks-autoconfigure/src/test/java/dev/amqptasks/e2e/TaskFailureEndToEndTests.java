package dev.amqptasks.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.amqptasks.NonRetryableTaskException;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.TaskTimeoutException;
import dev.amqptasks.UnknownTaskException;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskHeaders;
import dev.amqptasks.spi.TaskRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

class TaskFailureEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@Autowired
	private TaskClient client;

	@Autowired
	private TaskRegistry registry;

	@Autowired
	private TaskTopology topology;

	@Autowired
	private RabbitTemplate rabbit;

	@Autowired
	private MockMvc mvc;

	@Test
	void aFailedAttemptWithRetriesLeftIsRetriedUntilItSucceeds() throws Exception {
		TaskInfo task = this.client.enqueue("test.flaky", 2).await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(task.result().asInt()).isEqualTo(3);
		assertThat(task.attempts()).isEqualTo(3);
		assertThat(task.error()).isNull();
	}

	@Test
	void aTaskWithNoRetryLeftEndsErroredAndItsMessageGoesToTheErrorQueueSayingWhy() throws Exception {
		TaskInfo task = this.client.enqueue("test.flaky", 5).await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(task.attempts()).isEqualTo(3);
		assertThat(task.error().message()).isEqualTo("attempt 3 fails");
		Message dead = deadLetterOf(task.id());
		assertThat(dead.getMessageProperties().<String>getHeader(TaskHeaders.ERROR_TYPE))
			.isEqualTo(IllegalStateException.class.getName());
		assertThat(dead.getMessageProperties().<String>getHeader(TaskHeaders.ERROR_MESSAGE))
			.isEqualTo("attempt 3 fails");
	}

	@Test
	void retryDelaysGrowWithTheMultiplier() throws Exception {
		TaskInfo task = this.client.enqueue("test.backoff").await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		List<Instant> starts = task.eventlog()
			.stream()
			.filter((event) -> event.message().startsWith("attempt "))
			.map(TaskEvent::at)
			.toList();
		assertThat(starts).hasSize(4);
		// 200 ms doubling: the delay ladder never ends a delay early, and only a few
		// percent late.
		long[] expected = { 200, 400, 800 };
		for (int i = 0; i < expected.length; i++) {
			long gap = Duration.between(starts.get(i), starts.get(i + 1)).toMillis();
			assertThat(gap).as("delay before retry %d", i + 1).isBetween(expected[i], expected[i] + 1500);
		}
	}

	@Test
	void aNonRetryableFailureEndsErroredAfterOneAttempt() throws Exception {
		TaskInfo task = this.client.enqueue("test.non-retryable").await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(task.attempts()).isEqualTo(1);
		assertThat(task.error().type()).isEqualTo(NonRetryableTaskException.class.getName());
	}

	@Test
	void anExceptionListedInNoRetryForEndsErroredAfterOneAttempt() throws Exception {
		TaskInfo task = this.client.enqueue("test.no-retry-for").await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(task.attempts()).isEqualTo(1);
		assertThat(task.error().type()).isEqualTo(IllegalArgumentException.class.getName());
	}

	@Test
	void anAttemptThatRunsPastItsTimeoutIsInterruptedAndFails() throws Exception {
		TaskInfo task = this.client.enqueue("test.slow", 30).await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(task.error().type()).isEqualTo(TaskTimeoutException.class.getName());
		assertThat(Duration.between(task.startedAt(), task.finishedAt())).isLessThan(Duration.ofSeconds(10));
	}

	@Test
	void aMessageThatIsNotJsonGoesToTheErrorQueueAndTheWorkerGoesOn() throws Exception {
		String messageId = UUID.randomUUID().toString();
		publishRaw(messageId, "this is not json".getBytes(StandardCharsets.UTF_8));

		assertThat(deadLetterOf(messageId).getMessageProperties().<String>getHeader(TaskHeaders.DEAD_LETTER_REASON))
			.contains("not JSON");
		assertThat(this.client.enqueue("test.add", 1, 1).await(TIMEOUT).status()).isEqualTo(TaskStatus.FINISHED);
	}

	@Test
	void aMessageWithoutATaskIdGoesToTheErrorQueue() throws Exception {
		String messageId = UUID.randomUUID().toString();
		publishRaw(messageId, "{\"task\":\"test.add\",\"args\":[1,2]}".getBytes(StandardCharsets.UTF_8));

		assertThat(deadLetterOf(messageId).getMessageProperties().<String>getHeader(TaskHeaders.DEAD_LETTER_REASON))
			.contains("no task id");
	}

	@Test
	void aMessageOfATaskNoWorkerKnewForTheUnknownTaskTimeoutGoesToTheErrorQueueAndTheTaskSaysWhy() throws Exception {
		String id = UUID.randomUUID().toString();
		this.registry.create(new NewTask(id, "test.nobody-knows-me", "[]", "{}", 0));
		// Put back by workers that did not know it since longer than the timeout (5 min).
		publishRaw(id, ("{\"id\":\"" + id + "\",\"task\":\"test.nobody-knows-me\"}").getBytes(StandardCharsets.UTF_8),
				Map.of(TaskHeaders.UNKNOWN_SINCE, Instant.now().minus(Duration.ofMinutes(6)).toEpochMilli()));

		assertThat(deadLetterOf(id).getMessageProperties().<String>getHeader(TaskHeaders.DEAD_LETTER_REASON))
			.contains("test.nobody-knows-me");
		TaskInfo task = this.registry.find(id).orElseThrow();
		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		assertThat(task.error().type()).isEqualTo(UnknownTaskException.class.getName());
		assertThat(task.attempts()).isZero();
	}

	@Test
	void aMessageLargerThanTheLimitGoesToTheErrorQueue() throws Exception {
		String id = UUID.randomUUID().toString();
		String big = "x".repeat(70 * 1024);
		publishRaw(id, ("{\"id\":\"" + id + "\",\"task\":\"test.echo\",\"args\":[\"" + big + "\"]}")
			.getBytes(StandardCharsets.UTF_8));

		assertThat(deadLetterOf(id).getMessageProperties().<String>getHeader(TaskHeaders.DEAD_LETTER_REASON))
			.contains("larger than the limit");
	}

	@Test
	void aRedeliveredMessageOfATaskThatALiveWorkerRunsIsDeferredNotRunTwice() throws Exception {
		TaskHandle sleeping = this.client.enqueue("test.sleep", 3);
		await().atMost(TIMEOUT).until(() -> sleeping.status() == TaskStatus.RUNNING);

		// As the broker does after a consumer timeout: the same message again, while it
		// runs.
		publishRaw(sleeping.id(), ("{\"id\":\"" + sleeping.id() + "\",\"task\":\"test.sleep\",\"args\":[3]}")
			.getBytes(StandardCharsets.UTF_8));
		TaskInfo task = sleeping.await(TIMEOUT);
		// The deferred copy comes back after the 2 s lease and must find the task
		// finished.
		TaskInfo marker = this.client.enqueue("test.sleep", 2.5).await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(marker.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(sleeping.info().attempts()).isEqualTo(1);
		assertThat(sleeping.info().updatedAt()).isEqualTo(task.updatedAt());
	}

	@Test
	void anErroredTaskReplayedOverHttpRunsAgainOnceAndItsDeadMessageStaysStale() throws Exception {
		String key = UUID.randomUUID().toString();
		TaskInfo errored = this.client.enqueue("test.switch", key).await(TIMEOUT);
		assertThat(errored.status()).isEqualTo(TaskStatus.ERRORED);
		Message dead = deadLetterOf(errored.id());
		TestTasks.SWITCHES.add(key);

		this.mvc.perform(post("/@amqp-tasks/{id}/retry", errored.id()).header("X-Requested-With", "test"))
			.andExpect(status().isAccepted())
			.andExpect(jsonPath("$.status").value("scheduled"))
			.andExpect(jsonPath("$.attempts").value(0));
		TaskInfo replayed = this.client.find(errored.id()).orElseThrow().await(TIMEOUT);
		// Someone moves the old dead message back to the queue: it belongs to the earlier
		// run.
		this.rabbit.send(this.topology.exchange(), this.topology.queue(), dead);
		TaskInfo marker = this.client.enqueue("test.add", 1, 1).await(TIMEOUT);

		assertThat(replayed.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(replayed.result().asString()).isEqualTo("on");
		assertThat(marker.status()).isEqualTo(TaskStatus.FINISHED);
		TaskInfo after = this.registry.find(errored.id()).orElseThrow();
		assertThat(after.attempts()).isEqualTo(1);
		assertThat(after.updatedAt()).isEqualTo(replayed.updatedAt());
	}

	@Test
	void replayingATaskThatIsNotErroredOrCanceledIsAConflict() throws Exception {
		TaskInfo finished = this.client.enqueue("test.add", 1, 2).await(TIMEOUT);

		this.mvc.perform(post("/@amqp-tasks/{id}/retry", finished.id()).header("X-Requested-With", "test"))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.taskStatus").value("finished"));
		this.mvc.perform(post("/@amqp-tasks/{id}/retry", "no-such-task").header("X-Requested-With", "test"))
			.andExpect(status().isNotFound());
	}

	@Test
	void replayingManyErroredTasksByNameRunsEachAgain() throws Exception {
		String key = UUID.randomUUID().toString();
		TaskInfo first = this.client.enqueue("test.switch", key).await(TIMEOUT);
		TaskInfo second = this.client.enqueue("test.switch", key).await(TIMEOUT);
		TestTasks.SWITCHES.add(key);

		this.mvc
			.perform(post("/@amqp-tasks/retry").header("X-Requested-With", "test")
				.param("name", "test.switch")
				.param("status", "errored"))
			.andExpect(status().isAccepted())
			.andExpect(jsonPath("$.replayed").isArray());

		assertThat(this.client.find(first.id()).orElseThrow().await(TIMEOUT).status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(this.client.find(second.id()).orElseThrow().await(TIMEOUT).status()).isEqualTo(TaskStatus.FINISHED);
	}

	private void publishRaw(String messageId, byte[] body) {
		publishRaw(messageId, body, Map.of());
	}

	private void publishRaw(String messageId, byte[] body, Map<String, Object> headers) {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(messageId);
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		headers.forEach(properties::setHeader);
		this.rabbit.send(this.topology.exchange(), this.topology.queue(), new Message(body, properties));
	}

	/**
	 * Takes the error queue's messages until the one with the given id, with a deadline.
	 */
	private Message deadLetterOf(String messageId) {
		Instant deadline = Instant.now().plus(TIMEOUT);
		while (Instant.now().isBefore(deadline)) {
			Message message = this.rabbit.receive(this.topology.errorQueue(), 1000);
			if (message != null && messageId.equals(message.getMessageProperties().getMessageId())) {
				return message;
			}
		}
		throw new AssertionError("No message " + messageId + " in the error queue within " + TIMEOUT);
	}

}
