package dev.amqptasks.e2e;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskEnqueueException;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskRequest;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * End-to-end tests of delays through the delay ladder, with queue names of their own so
 * that the delay queues on the broker are theirs alone.
 */
@SpringBootTest(classes = EndToEndTestApplication.class)
@AutoConfigureMockMvc
class DelayEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	/** What a loaded machine may add to a delay: the enqueue, each hop and the start. */
	private static final Duration LATENCY = Duration.ofMillis(300);

	private static final String QUEUE = LocalServices.uniqueName("delays");

	private static final String PREFIX = LocalServices.uniqueName("delays");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		EndToEndTestApplication.properties(registry, QUEUE, PREFIX);
		registry.add("spring.autoconfigure.exclude", () -> EndToEndTestApplication.SECURITY_AUTO_CONFIGURATIONS);
		// Without Spring Security the API is served only when turned on.
		registry.add("amqp-tasks.http.enabled", () -> "true");
	}

	@Autowired
	private TaskClient client;

	@Autowired
	private TaskRegistry registry;

	@Autowired
	private TaskTopology topology;

	@Autowired
	private AmqpAdmin admin;

	@Autowired
	private MockMvc mvc;

	@Test
	void sixteenDelaysJustAboveOneSecondShareAHandfulOfDelayQueuesAndEachEndsOnTime() throws Exception {
		List<String> queuesBefore = existingDelayQueues();
		List<Instant> called = new ArrayList<>();
		List<Instant> returned = new ArrayList<>();
		List<TaskHandle> handles = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			called.add(Instant.now());
			handles.add(this.client.enqueue("test.add", List.of(i, 1), Map.of(),
					EnqueueOptions.withDelay(Duration.ofMillis(1001 + i))));
			returned.add(Instant.now());
		}

		List<String> queuesAfter = existingDelayQueues();
		queuesAfter.removeAll(queuesBefore);
		assertThat(queuesAfter).hasSizeBetween(1, 3);
		for (int i = 0; i < 16; i++) {
			Duration delay = Duration.ofMillis(1001 + i);
			TaskInfo task = handles.get(i).await(TIMEOUT);
			assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
			// Timestamps are whole milliseconds.
			assertThat(task.startedAt()).as("start of the task delayed %s", delay)
				.isAfterOrEqualTo(called.get(i).truncatedTo(ChronoUnit.MILLIS).plus(delay))
				.isBefore(returned.get(i).plus(delay).plusMillis(delay.toMillis() * 3 / 100).plus(LATENCY));
		}
	}

	@Test
	void aTaskDelayedThirtyDaysStaysScheduledWhileItsMessageWaitsInADelayQueue() throws Exception {
		long waitingBefore = messagesInDelayQueues();

		TaskHandle handle = this.client.enqueue("test.add", List.of(1, 2), Map.of(),
				EnqueueOptions.withDelay(Duration.ofDays(30)));

		await().atMost(TIMEOUT).until(() -> messagesInDelayQueues() == waitingBefore + 1);
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(5))
			.until(() -> handle.status() == TaskStatus.SCHEDULED);
		assertThat(handle.info().attempts()).isZero();
	}

	@Test
	void aDelayOfAYearIsTheLongestAcceptedAndLongerOnesAreRefusedWithNothingStored() throws Exception {
		String tooLong = UUID.randomUUID().toString();
		long waitingBefore = messagesInDelayQueues();

		TaskHandle longest = this.client.enqueue("test.add", List.of(1, 2), Map.of(),
				EnqueueOptions.withDelay(EnqueueOptions.MAX_DELAY));
		this.mvc
			.perform(post("/@amqp-tasks").contentType(MediaType.APPLICATION_JSON)
				.content("{\"task\":\"test.add\",\"args\":[1,2],\"delay\":\"P366D\"}"))
			.andExpect(status().isCreated())
			.andExpect(jsonPath("$.status").value("scheduled"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.enqueue("test.add", List.of(1, 2), Map.of(),
					new EnqueueOptions(tooLong, EnqueueOptions.MAX_DELAY.plusMillis(1))))
			.withMessageContaining("must be at most");
		this.mvc
			.perform(
					post("/@amqp-tasks").contentType(MediaType.APPLICATION_JSON)
						.content("{\"task\":\"test.add\",\"args\":[1,2],\"id\":\"" + tooLong
								+ "\",\"delay\":\"P366DT0.001S\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail").value(containsString("must be at most")));

		assertThat(longest.status()).isEqualTo(TaskStatus.SCHEDULED);
		await().atMost(TIMEOUT).until(() -> messagesInDelayQueues() == waitingBefore + 2);
		assertThat(this.registry.find(tooLong)).isEmpty();
	}

	@Test
	void aRetryLongerThanTheTopStepWaitsInADelayQueueInsteadOfFailingToPublish() throws Exception {
		long waitingBefore = messagesInDelayQueues();

		TaskHandle handle = this.client.enqueue("test.retry-late");

		await().atMost(TIMEOUT).until(() -> handle.status() == TaskStatus.RETRYING);
		await().atMost(TIMEOUT).until(() -> messagesInDelayQueues() == waitingBefore + 1);
		await().during(Duration.ofSeconds(1))
			.atMost(Duration.ofSeconds(5))
			.until(() -> handle.status() == TaskStatus.RETRYING && handle.info().attempts() == 1);
	}

	@Test
	void aPublishThatFailsFailsOnlyItsOwnTaskAndTheRestOfItsBatchIsEnqueued() throws Exception {
		// The queue of one step (1.75 * 2^17 ms) exists with other arguments: declaring
		// it fails.
		Duration delay = Duration.ofMillis(229_376);
		String conflicting = this.topology.delayQueues()
			.stream()
			.filter((queue) -> queue.endsWith("-delay-" + delay.toMillis()))
			.findFirst()
			.orElseThrow();
		this.admin.declareQueue(new Queue(conflicting, false, false, false));
		try {
			String refused = UUID.randomUUID().toString();
			List<String> others = new ArrayList<>();
			List<TaskRequest> requests = new ArrayList<>();
			for (int i = 0; i < 21; i++) {
				String id = (i == 10) ? refused : UUID.randomUUID().toString();
				requests.add(new TaskRequest("test.add", List.of(i, 1), Map.of(),
						new EnqueueOptions(id, (i == 10) ? delay : null)));
				if (i != 10) {
					others.add(id);
				}
			}

			assertThatExceptionOfType(TaskEnqueueException.class).isThrownBy(() -> this.client.enqueueAll(requests))
				.withMessageContaining(refused)
				.satisfies((ex) -> assertThat(ex.getSuppressed()).isEmpty());

			for (String id : others) {
				assertThat(this.client.find(id).orElseThrow().await(TIMEOUT).status()).isEqualTo(TaskStatus.FINISHED);
			}
			assertThat(this.registry.find(refused).orElseThrow().status()).isEqualTo(TaskStatus.ERRORED);
		}
		finally {
			this.admin.deleteQueue(conflicting);
		}
	}

	private List<String> existingDelayQueues() {
		return new ArrayList<>(this.topology.delayQueues()
			.stream()
			.filter((queue) -> this.admin.getQueueInfo(queue) != null)
			.toList());
	}

	private long messagesInDelayQueues() {
		long messages = 0;
		for (String queue : this.topology.delayQueues()) {
			QueueInformation information = this.admin.getQueueInfo(queue);
			messages += (information != null) ? information.getMessageCount() : 0;
		}
		return messages;
	}

}
