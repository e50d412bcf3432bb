package dev.amqptasks.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.amqptasks.amqp.RabbitTaskQueueDepths;
import dev.amqptasks.metrics.AmqpTasksMetrics;
import dev.amqptasks.metrics.TaskCounters;
import dev.amqptasks.spi.TaskObservations;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.test.LocalServices;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AmqpTasksMetricsAutoConfiguration} and the queue depths every
 * application gets. The depths are polled from the broker, so these tests use queue names
 * of their own.
 */
class AmqpTasksMetricsAutoConfigurationTests {

	private final String queue = LocalServices.uniqueName("autoconfig-metrics");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, JacksonAutoConfiguration.class,
				TaskRegistryAutoConfiguration.class, AmqpTasksAutoConfiguration.class,
				TaskWorkerAutoConfiguration.class, AmqpTasksMetricsAutoConfiguration.class))
		.withPropertyValues("spring.rabbitmq.publisher-confirm-type=correlated",
				"spring.rabbitmq.host=" + LocalServices.rabbit().host(),
				"spring.rabbitmq.port=" + LocalServices.rabbit().port(), "amqp-tasks.registry.type=memory",
				"amqp-tasks.queue=" + this.queue, "amqp-tasks.exchange=" + this.queue);

	private final ApplicationContextRunner withMetrics = this.contextRunner
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

	@AfterEach
	void deleteTheQueues() {
		AmqpTasksContextRunners.deleteQueues(this.queue);
	}

	@Test
	void everyApplicationHasQueueDepthsPolledInTheBackground() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(TaskQueueDepths.class);
			assertThat(context.getBean(RabbitTaskQueueDepths.class).isRunning()).isTrue();
		});
	}

	@Test
	void aUserDefinedTaskQueueDepthsBacksOffTheDefaultOne() {
		this.contextRunner.withUserConfiguration(UserQueueDepthsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TaskQueueDepths.class).doesNotHaveBean(RabbitTaskQueueDepths.class);
			assertThat(context.getBean(TaskQueueDepths.class).current().main()).isEqualTo(7);
		});
	}

	@Test
	void aProducerGetsTheQueueGaugesAndTheCounters() {
		this.withMetrics.run((context) -> {
			assertThat(context).hasSingleBean(AmqpTasksMetrics.class).hasSingleBean(TaskCounters.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find(AmqpTasksMetrics.QUEUE_MESSAGES).gauges())
				.extracting((gauge) -> gauge.getId().getTag("queue"))
				.containsExactlyInAnyOrder("main", "delay", "error");
			assertThat(registry.find(AmqpTasksMetrics.RUNNING).gauge()).isNull();
			assertThat(registry.find(AmqpTasksMetrics.BEACON_AGE).gauge()).isNull();
		});
	}

	@Test
	void aWorkerAlsoGetsTheRunningAndBeaconAgeGauges() {
		this.withMetrics
			.withPropertyValues("amqp-tasks.worker.enabled=true", "amqp-tasks.worker.shutdown-grace-period=1s")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get(AmqpTasksMetrics.RUNNING).gauge().value()).isZero();
				assertThat(registry.get(AmqpTasksMetrics.BEACON_AGE).gauge().getId().getBaseUnit())
					.isEqualTo("seconds");
			});
	}

	@Test
	void noMetersAreConfiguredWithoutAMeterRegistry() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(AmqpTasksMetrics.class)
			.doesNotHaveBean(TaskCounters.class));
	}

	@Test
	void noMetersAreConfiguredWithoutMicrometerButTheQueueDepthsAre() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(AmqpTasksMetrics.class).hasSingleBean(TaskQueueDepths.class);
		});
	}

	@Test
	void theExecutionTimerHasHistogramBucketsUpToAnHour() {
		this.withMetrics.run((context) -> {
			Timer timer = Timer.builder(TaskObservations.EXECUTION)
				.tags(TaskObservations.TASK, "t", TaskObservations.OUTCOME, "finished")
				.register(context.getBean(MeterRegistry.class));
			timer.record(Duration.ofSeconds(90));

			CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
			assertThat(buckets).hasSize(18);
			assertThat(buckets[buckets.length - 1].bucket(TimeUnit.SECONDS)).isEqualTo(3600);
			assertThat(buckets[buckets.length - 1].count()).isOne();
		});
	}

	@Test
	void theApplicationsOwnHistogramSettingForTheExecutionTimerWins() {
		this.withMetrics
			.withPropertyValues("management.metrics.distribution.percentiles-histogram.amqp.tasks.execution=false")
			.run((context) -> {
				Timer timer = Timer.builder(TaskObservations.EXECUTION).register(context.getBean(MeterRegistry.class));

				assertThat(timer.takeSnapshot().histogramCounts()).isEmpty();
			});
	}

	@Test
	void aQueuePollIntervalOfZeroFailsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("amqp-tasks.metrics.queue-poll-interval=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("amqp-tasks.metrics.queue-poll-interval"));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserQueueDepthsConfiguration {

		@Bean
		TaskQueueDepths userQueueDepths() {
			return () -> new TaskQueueDepths.Depths(7, 0, 0);
		}

	}

}
