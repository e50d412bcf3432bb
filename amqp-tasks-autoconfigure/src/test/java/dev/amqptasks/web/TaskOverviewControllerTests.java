package dev.amqptasks.web;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.amqptasks.registry.InMemoryTaskRegistry;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.web.TaskOverviewController.Queues;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.support.StaticListableBeanFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link TaskOverviewController} on its own: what it answers when the
 * application has no worker directory or nothing that polls the queues.
 */
@Tag("fast")
class TaskOverviewControllerTests {

	private final TaskRegistry registry = new InMemoryTaskRegistry(JsonMapper.builder().build(), Duration.ofHours(1),
			Clock.systemUTC());

	private final StaticListableBeanFactory beans = new StaticListableBeanFactory();

	private final TaskOverviewController controller = new TaskOverviewController(this.registry,
			this.beans.getBeanProvider(WorkerDirectory.class), this.beans.getBeanProvider(TaskQueueDepths.class));

	@Test
	void noWorkersAreListedWithoutAWorkerDirectory() {
		assertThat(this.controller.workers().items()).isEmpty();
	}

	@Test
	void queueDepthsAreUnknownWhenNothingPollsTheQueues() {
		assertThat(this.controller.stats().queues()).isEqualTo(new Queues(null, null, null));
	}

	@Test
	void statsListEveryStatusInTheOrderOfTheLifecycle() {
		this.registry.create(new NewTask("overview-1", "sample.echo", "[]", "{}", 0));

		assertThat(this.controller.stats().tasks()).containsExactly(entry("scheduled", 1L), entry("running", 0L),
				entry("retrying", 0L), entry("finished", 0L), entry("errored", 0L), entry("canceled", 0L));
		assertThat(this.controller.stats().byName()).containsOnlyKeys("sample.echo");
		assertThat(List.copyOf(this.controller.stats().byName().get("sample.echo").keySet()))
			.containsExactly("scheduled", "running", "retrying", "finished", "errored", "canceled");
	}

}
