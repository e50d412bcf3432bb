package dev.amqptasks.autoconfigure;

import dev.amqptasks.health.AmqpTasksHealthIndicator;
import dev.amqptasks.worker.TaskWorker;

import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the {@code amqpTasks} health component in a worker, and of its
 * place in the {@code readiness} group (see {@link ReadinessGroupPostProcessor}).
 */
@AutoConfiguration(after = TaskWorkerAutoConfiguration.class,
		afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(TaskWorker.class)
@ConditionalOnEnabledHealthIndicator("amqpTasks")
public final class AmqpTasksHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "amqpTasksHealthIndicator")
	AmqpTasksHealthIndicator amqpTasksHealthIndicator(TaskWorker taskWorker) {
		return new AmqpTasksHealthIndicator(taskWorker);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HealthEndpointGroupsPostProcessor.class, AdditionalPathsMapper.class })
	static class ReadinessGroupConfiguration {

		// Unordered and registered after Spring Boot's probes post-processor (this
		// auto-configuration comes after its own), so it runs after the probe groups
		// exist.
		@Bean
		HealthEndpointGroupsPostProcessor amqpTasksReadinessGroupPostProcessor(Environment environment) {
			return new ReadinessGroupPostProcessor(environment);
		}

	}

}
