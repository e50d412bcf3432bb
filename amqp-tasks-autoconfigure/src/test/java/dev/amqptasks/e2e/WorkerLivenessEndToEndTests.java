package dev.amqptasks.e2e;

import java.time.Duration;

import dev.amqptasks.health.AmqpTasksHealthIndicator;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.spi.WorkerStatus;
import dev.amqptasks.worker.TaskWorker;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WorkerLivenessEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Autowired
	private TaskWorker worker;

	@Autowired
	private AmqpTasksHealthIndicator health;

	@Autowired
	private WorkerDirectory directory;

	@Test
	void beaconsComeBackThroughTheWorkersOwnConsumerAndKeepItsHealthUp() {
		await().atMost(TIMEOUT).until(() -> this.worker.status().lastBeacon() != null);
		var first = this.worker.status().lastBeacon();
		// A beacon a period: the last one keeps moving.
		await().atMost(TIMEOUT).until(() -> this.worker.status().lastBeacon().isAfter(first));

		Health health = this.health.health(true);

		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsKeys("workerId", "lastBeacon", "beaconTtl", "runningTasks",
				"maxRunningTasks");
		assertThat(health.getDetails().get("workerId")).isEqualTo(this.worker.identity().id());
		assertThat(this.worker.beaconAge()).isLessThan(Duration.ofMillis(1500));
	}

	@Test
	void theWorkerReportsItselfToTheWorkerDirectory() {
		await().atMost(TIMEOUT)
			.until(() -> this.directory.list()
				.stream()
				.anyMatch((worker) -> worker.id().equals(this.worker.identity().id()) && worker.lastBeacon() != null));

		WorkerStatus reported = this.directory.list()
			.stream()
			.filter((worker) -> worker.id().equals(this.worker.identity().id()))
			.findFirst()
			.orElseThrow();
		assertThat(reported.status()).isEqualTo("UP");
		assertThat(reported.pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(reported.maxRunningTasks()).isEqualTo(8);
	}

}
