package dev.amqptasks.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.IllegalTaskStateChangeException;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class TaskCancellationEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final Duration DELAY = Duration.ofMillis(1500);

	@Autowired
	private TaskClient client;

	@Test
	void aQueuedTaskIsCanceledAtOnceAndNeverRuns() throws Exception {
		TaskHandle queued = this.client.enqueue("test.add", List.of(1, 2), Map.of(), EnqueueOptions.withDelay(DELAY));

		TaskInfo canceled = queued.cancel();
		// Same delay queue, so the marker is delivered after the canceled task's message.
		TaskInfo marker = this.client.enqueue("test.add", List.of(0, 0), Map.of(), EnqueueOptions.withDelay(DELAY))
			.await(TIMEOUT);

		assertThat(canceled.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(marker.status()).isEqualTo(TaskStatus.FINISHED);
		TaskInfo after = queued.info();
		assertThat(after.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(after.attempts()).isZero();
		assertThat(after.finishedAt()).isNotNull();
	}

	@Test
	void aRunningTaskIsInterruptedAndEndsCanceledWhileTheWorkerGoesOn() throws Exception {
		TaskHandle sleeping = this.client.enqueue("test.sleep", 60);
		await().atMost(TIMEOUT).until(() -> sleeping.status() == TaskStatus.RUNNING);

		TaskInfo requested = sleeping.cancel();
		TaskInfo canceled = sleeping.completion().get();
		TaskInfo next = this.client.enqueue("test.add", 2, 2).await(TIMEOUT);

		assertThat(requested.status()).isEqualTo(TaskStatus.RUNNING);
		assertThat(canceled.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(Duration.between(canceled.startedAt(), canceled.finishedAt())).isLessThan(Duration.ofSeconds(30));
		assertThat(next.result().asInt()).isEqualTo(4);
	}

	@Test
	void aRunningTaskIsCanceledWithinOneSecondOfTheRequest() throws Exception {
		TaskHandle sleeping = this.client.enqueue("test.sleep", 60);
		await().atMost(TIMEOUT).until(() -> sleeping.status() == TaskStatus.RUNNING);

		sleeping.cancel();

		await().atMost(Duration.ofSeconds(1)).until(() -> sleeping.status() == TaskStatus.CANCELED);
	}

	@Test
	void cancelingAFinishedTaskIsRefused() throws Exception {
		TaskHandle done = this.client.enqueue("test.add", 1, 1);
		done.await(TIMEOUT);

		assertThatExceptionOfType(IllegalTaskStateChangeException.class).isThrownBy(done::cancel)
			.satisfies((ex) -> assertThat(ex.getFrom()).isEqualTo(TaskStatus.FINISHED));
	}

}
