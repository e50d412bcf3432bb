package dev.amqptasks.autoconfigure;

import dev.amqptasks.metrics.AmqpTasksMetrics;
import dev.amqptasks.metrics.TaskCounters;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.worker.TaskWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Auto-configuration of the amqp-tasks meters, in an application with a Micrometer
 * {@link MeterRegistry}. The execution timer comes from the observation of each attempt,
 * so it needs an {@code ObservationRegistry} that makes meters, as Spring Boot's metrics
 * auto-configuration provides.
 */
@AutoConfiguration(after = { AmqpTasksAutoConfiguration.class, TaskWorkerAutoConfiguration.class },
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, TaskQueueDepths.class })
public final class AmqpTasksMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AmqpTasksMetrics amqpTasksMetrics(TaskQueueDepths queueDepths, ObjectProvider<TaskWorker> taskWorker) {
		return new AmqpTasksMetrics(queueDepths, taskWorker.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean
	TaskCounters amqpTasksCounters(MeterRegistry meterRegistry) {
		return new TaskCounters(meterRegistry);
	}

	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	MeterFilter amqpTasksExecutionHistogram() {
		// Last, so that it sees what management.metrics.distribution.* decided for the
		// timer.
		return AmqpTasksMetrics.executionHistogram();
	}

}
