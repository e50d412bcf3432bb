package dev.amqptasks.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.metrics.AmqpTasksMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters of a producer and worker, read as Prometheus scrapes them.
 */
class MetricsEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	@Autowired
	private TaskClient client;

	@Autowired
	private PrometheusMeterRegistry prometheus;

	@Autowired
	private AmqpAdmin amqpAdmin;

	@Autowired
	private TaskTopology topology;

	@Test
	void theScrapeHasEveryMeterOfTheContractWithItsTags() throws Exception {
		double enqueuedBefore = count(AmqpTasksMetrics.ENQUEUED, "test.add");
		double retriesBefore = count(AmqpTasksMetrics.RETRIES, "test.flaky");

		TaskInfo finished = this.client.enqueue("test.add", 2, 3).await(TIMEOUT);
		TaskInfo errored = this.client.enqueue("test.fail", "on purpose").await(TIMEOUT);
		TaskInfo retried = this.client.enqueue("test.flaky", 1).await(TIMEOUT);
		TaskInfo canceled = cancelWhileRunning();

		assertThat(List.of(finished.status(), errored.status(), retried.status(), canceled.status()))
			.containsExactly(TaskStatus.FINISHED, TaskStatus.ERRORED, TaskStatus.FINISHED, TaskStatus.CANCELED);
		assertThat(count(AmqpTasksMetrics.ENQUEUED, "test.add")).isGreaterThanOrEqualTo(enqueuedBefore + 1);
		assertThat(count(AmqpTasksMetrics.RETRIES, "test.flaky")).isGreaterThanOrEqualTo(retriesBefore + 1);
		String scrape = this.prometheus.scrape();
		assertThat(samples(scrape, "amqp_tasks_enqueued_total"))
			.anySatisfy((sample) -> assertThat(sample).contains("task=\"test.add\""));
		assertThat(samples(scrape, "amqp_tasks_retries_total"))
			.anySatisfy((sample) -> assertThat(sample).contains("task=\"test.flaky\""));
		assertThat(scrape).contains("# TYPE amqp_tasks_execution_seconds histogram");
		assertThat(samples(scrape, "amqp_tasks_execution_seconds_count"))
			.anySatisfy((sample) -> assertThat(sample).contains("outcome=\"finished\"", "task=\"test.add\""))
			.anySatisfy((sample) -> assertThat(sample).contains("outcome=\"errored\"", "task=\"test.fail\""))
			.anySatisfy((sample) -> assertThat(sample).contains("outcome=\"retrying\"", "task=\"test.flaky\""))
			.anySatisfy((sample) -> assertThat(sample).contains("outcome=\"finished\"", "task=\"test.flaky\""))
			.anySatisfy((sample) -> assertThat(sample).contains("outcome=\"canceled\"", "task=\"test.sleep\""));
		assertThat(samples(scrape, "amqp_tasks_execution_seconds_bucket")).anySatisfy(
				(sample) -> assertThat(sample).contains("outcome=\"finished\"", "task=\"test.add\"", "le=\"0.1\""));
		assertThat(samples(scrape, "amqp_tasks_running")).hasSize(1);
		assertThat(samples(scrape, "amqp_tasks_beacon_age_seconds")).hasSize(1);
		assertThat(samples(scrape, "amqp_tasks_queue_messages")).hasSize(3)
			.anySatisfy((sample) -> assertThat(sample).contains("queue=\"main\""))
			.anySatisfy((sample) -> assertThat(sample).contains("queue=\"delay\""))
			.anySatisfy((sample) -> assertThat(sample).contains("queue=\"error\""));
		Set<String> taskIds = Set.of(finished.id(), errored.id(), retried.id(), canceled.id());
		assertThat(labelValues(scrape)).doesNotContainAnyElementsOf(taskIds);
	}

	@Test
	void theErrorQueueGaugeCountsADeadLetteredMessage() throws Exception {
		TaskInfo errored = this.client.enqueue("test.fail", "to the error queue").await(TIMEOUT);

		assertThat(errored.status()).isEqualTo(TaskStatus.ERRORED);
		await().atMost(TIMEOUT).untilAsserted(() -> {
			QueueInformation errorQueue = this.amqpAdmin.getQueueInfo(this.topology.errorQueue());
			assertThat(errorQueue.getMessageCount()).isPositive();
			assertThat(queueGauge("error")).isEqualTo(errorQueue.getMessageCount());
		});
		assertThat(samples(this.prometheus.scrape(), "amqp_tasks_queue_messages"))
			.anySatisfy((sample) -> assertThat(sample).startsWith("amqp_tasks_queue_messages{queue=\"error\"} ")
				.doesNotEndWith(" NaN"));
	}

	private TaskInfo cancelWhileRunning() throws Exception {
		TaskHandle sleeping = this.client.enqueue("test.sleep", 60);
		await().atMost(TIMEOUT).until(() -> sleeping.status() == TaskStatus.RUNNING);
		sleeping.cancel();
		return sleeping.await(TIMEOUT);
	}

	private double count(String counter, String task) {
		Counter found = this.prometheus.find(counter).tag("task", task).counter();
		return (found != null) ? found.count() : 0;
	}

	private double queueGauge(String queue) {
		return this.prometheus.get(AmqpTasksMetrics.QUEUE_MESSAGES).tag("queue", queue).gauge().value();
	}

	/** The sample lines of one metric: its name followed by labels or a value. */
	private static List<String> samples(String scrape, String name) {
		return scrape.lines().filter((line) -> line.startsWith(name + "{") || line.startsWith(name + " ")).toList();
	}

	private static Set<String> labelValues(String scrape) {
		return scrape.lines().filter((line) -> !line.startsWith("#")).flatMap((line) -> {
			Matcher matcher = LABEL.matcher(line);
			return matcher.results().map((result) -> result.group(2));
		}).collect(Collectors.toSet());
	}

}
