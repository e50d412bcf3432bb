package dev.amqptasks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.TaskObservations;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How a task's observations hang together, from the code that enqueued it to each
 * attempt: with a tracer, the spans of one trace.
 */
class TracingEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@Autowired
	private TaskClient client;

	@Autowired
	private ObservationRegistry observationRegistry;

	@Autowired
	private RecordingObservationHandler recorder;

	@Test
	void anAttemptDescendsFromThePublishAndTheRequestThatEnqueuedTheTask() throws Exception {
		TaskInfo task = enqueueWithin("test.request", "test.add", 1, 2).await(TIMEOUT);

		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
		Observation.Context execution = awaitExecution(task.id(), "1");
		assertThat(execution.getLowCardinalityKeyValue(TaskObservations.TASK).getValue()).isEqualTo("test.add");
		assertThat(lineage(execution)).containsExactly(TaskObservations.EXECUTION, "spring.rabbit.listener",
				"spring.rabbit.template", TaskObservations.ENQUEUE, "test.request");
	}

	@Test
	void aRetryContinuesTheTraceOfTheAttemptThatFailed() throws Exception {
		TaskInfo task = enqueueWithin("test.request", "test.flaky", 1).await(TIMEOUT);

		assertThat(task.attempts()).isEqualTo(2);
		Observation.Context second = awaitExecution(task.id(), "2");
		List<String> lineage = lineage(second);
		assertThat(lineage).startsWith(TaskObservations.EXECUTION, "spring.rabbit.listener", "spring.rabbit.template")
			.endsWith(TaskObservations.EXECUTION, "spring.rabbit.listener", "spring.rabbit.template",
					TaskObservations.ENQUEUE, "test.request");
		// Each hop of the retry's delay through the delay ladder is a receipt and a send
		// of its own.
		assertThat(lineage.subList(3, lineage.size() - 5)).containsOnly("spring.rabbit.listener",
				"spring.rabbit.template");
	}

	private TaskHandle enqueueWithin(String outer, String task, Object... args) {
		Observation request = Observation.start(outer, this.observationRegistry);
		try (Observation.Scope scope = request.openScope()) {
			return this.client.enqueue(task, args);
		}
		finally {
			request.stop();
		}
	}

	private Observation.Context awaitExecution(String taskId, String attempt) {
		return await().atMost(TIMEOUT)
			.until(() -> this.recorder.find((context) -> TaskObservations.EXECUTION.equals(context.getName())
					&& taskId.equals(value(context.getHighCardinalityKeyValue(TaskObservations.TASK_ID)))
					&& attempt.equals(value(context.getHighCardinalityKeyValue(TaskObservations.ATTEMPT)))),
					Optional::isPresent)
			.get();
	}

	/** The names of an observation and of its ancestors, across the broker too. */
	private List<String> lineage(Observation.Context context) {
		List<String> names = new ArrayList<>();
		Optional<Observation.Context> current = Optional.of(context);
		while (current.isPresent() && names.size() < 20) {
			names.add(current.get().getName());
			current = this.recorder.parentOf(current.get());
		}
		return names;
	}

	private static String value(KeyValue keyValue) {
		return (keyValue != null) ? keyValue.getValue() : null;
	}

}
