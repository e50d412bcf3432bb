package dev.amqptasks.autoconfigure;

import dev.amqptasks.health.AmqpTasksHealthIndicator;
import dev.amqptasks.worker.TaskWorker;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code amqpTasks} health component in a worker.
 */
@AutoConfiguration(after = TaskWorkerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(TaskWorker.class)
@ConditionalOnEnabledHealthIndicator("amqpTasks")
public final class AmqpTasksHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "amqpTasksHealthIndicator")
	AmqpTasksHealthIndicator amqpTasksHealthIndicator(TaskWorker taskWorker) {
		return new AmqpTasksHealthIndicator(taskWorker);
	}

}
