package dev.amqptasks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskContext;
import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskFailedException;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskRequest;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class TaskExecutionEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@Autowired
	private TestTasks tasks;

	@Autowired
	private TaskClient client;

	@Autowired
	private JsonMapper json;

	@Test
	void callingAFutureReturningTaskMethodEnqueuesItAndCompletesWithTheWorkersResult() throws Exception {
		CompletableFuture<Integer> sum = this.tasks.add(2, 3);

		assertThat(sum.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(5);
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "\"\"", "[]", "false", "null", "{}" })
	void everyResultIsStoredIncludingFalsyOnes(String value) throws Exception {
		JsonNode expected = this.json.readTree(value);
		TaskHandle handle = this.client.enqueue("test.echo", Arrays.asList(expected), Map.of());

		TaskInfo task = handle.await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(this.json.writeValueAsString(task.result())).isEqualTo(this.json.writeValueAsString(expected));
		assertThat(task.attempts()).isEqualTo(1);
		assertThat(task.worker()).isNotNull();
		assertThat(task.startedAt()).isNotNull();
		assertThat(task.finishedAt()).isAfterOrEqualTo(task.startedAt());
	}

	@Test
	void namedArgumentsBindByParameterName() throws Exception {
		TaskInfo task = this.client.enqueue("test.add", List.of(), Map.of("b", 40, "a", 2)).await(TIMEOUT);

		assertThat(task.result().asInt()).isEqualTo(42);
	}

	@Test
	void aTaskThatThrowsEndsErroredWithTheExceptionsTypeAndMessage() throws Exception {
		CompletableFuture<String> result = this.tasks.fail("boom");

		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> result.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(TaskFailedException.class, (failed) -> {
				assertThat(failed.getTask().status()).isEqualTo(TaskStatus.ERRORED);
				assertThat(failed.getTask().error().type()).isEqualTo(IllegalStateException.class.getName());
				assertThat(failed.getTask().error().message()).isEqualTo("boom");
				assertThat(failed.getTask().maxRetries()).as("the task's own maxRetries").isZero();
			});
	}

	@Test
	void enqueuingAnExistingIdReturnsTheExistingTaskAndDoesNotRunItAgain() throws Exception {
		String id = "idempotent-" + System.nanoTime();
		TaskInfo first = this.client.enqueue("test.add", List.of(1, 2), Map.of(), EnqueueOptions.withId(id))
			.await(TIMEOUT);

		TaskHandle again = this.client.enqueue("test.add", List.of(5, 5), Map.of(), EnqueueOptions.withId(id));
		TaskInfo marker = this.client.enqueue("test.add", 0, 0).await(TIMEOUT);

		assertThat(again.id()).isEqualTo(id);
		TaskInfo after = again.info();
		assertThat(after.attempts()).isEqualTo(1);
		assertThat(after.result().asInt()).isEqualTo(3);
		assertThat(after.updatedAt()).isEqualTo(first.updatedAt());
		assertThat(marker.status()).isEqualTo(TaskStatus.FINISHED);
	}

	@Test
	void enqueuingManyTasksInOneCallRunsEachWithItsOwnArgumentsAndKeepsExistingIds() throws Exception {
		String existing = "bulk-existing-" + System.nanoTime();
		TaskInfo first = this.client.enqueue("test.add", List.of(1, 1), Map.of(), EnqueueOptions.withId(existing))
			.await(TIMEOUT);
		List<TaskRequest> requests = new ArrayList<>();
		for (int i = 0; i < 250; i++) {
			requests.add(TaskRequest.of("test.add", i, 1000));
		}
		requests.add(new TaskRequest("test.add", List.of(7, 7), null, EnqueueOptions.withId(existing)));

		List<TaskHandle> handles = this.client.enqueueAll(requests);

		assertThat(handles).hasSize(requests.size());
		for (int i = 0; i < 250; i++) {
			assertThat(handles.get(i).await(TIMEOUT).result().asInt()).isEqualTo(i + 1000);
		}
		TaskInfo again = handles.get(250).info();
		assertThat(again.id()).isEqualTo(existing);
		assertThat(again.result().asInt()).isEqualTo(2);
		assertThat(again.updatedAt()).isEqualTo(first.updatedAt());
	}

	@Test
	void enqueuingManyTasksEnqueuesNoneWhenTheArgumentsOfOneDoNotBind() {
		String id = "bulk-unbound-" + System.nanoTime();
		List<TaskRequest> requests = List.of(
				new TaskRequest("test.add", List.of(1, 2), null, EnqueueOptions.withId(id)),
				TaskRequest.of("test.add", "not a number", 2));

		assertThatExceptionOfType(InvalidTaskArgumentsException.class)
			.isThrownBy(() -> this.client.enqueueAll(requests));
		assertThat(this.client.find(id)).isEmpty();
	}

	@Test
	void aTaskCanEnqueueAnotherTaskThroughItsBean() throws Exception {
		TaskInfo parent = this.client.enqueue("test.spawn", 4, 5).await(TIMEOUT);
		String childId = parent.result().asString();

		TaskInfo child = this.client.find(childId).orElseThrow().await(TIMEOUT);

		assertThat(childId).isEqualTo(parent.id() + "-child");
		assertThat(child.name()).isEqualTo("test.add-with-id");
		assertThat(child.status()).isEqualTo(TaskStatus.FINISHED);
	}

	@Test
	void taskCodeReportsProgressAndLogsToTheEventLog() throws Exception {
		TaskInfo task = this.client.enqueue("test.progress", 3).await(TIMEOUT);

		assertThat(task.eventlog()).extracting(TaskEvent::message).containsSubsequence("step 1", "step 2", "step 3");
		assertThat(task.progress()).isEqualTo(1.0);
	}

	@Test
	void aDelayedTaskRunsOnlyAfterItsDelay() throws Exception {
		TaskHandle handle = this.client.enqueue("test.add", List.of(1, 1), Map.of(),
				EnqueueOptions.withDelay(Duration.ofMillis(1500)));

		assertThat(handle.status()).isEqualTo(TaskStatus.SCHEDULED);
		TaskInfo task = handle.await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		assertThat(Duration.between(task.createdAt(), task.startedAt()))
			.isGreaterThanOrEqualTo(Duration.ofMillis(1400));
	}

	@Test
	void theContextOfTheRunningTaskIsEmptyOutsideATask() {
		assertThat(TaskContext.current()).isEmpty();
	}

}
