package dev.amqptasks.autoconfigure;

import java.time.Clock;

import dev.amqptasks.TaskClient;
import dev.amqptasks.amqp.DelayLadder;
import dev.amqptasks.amqp.RabbitTaskQueueDepths;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.client.AmqpTaskBeanPostProcessor;
import dev.amqptasks.client.DefaultTaskClient;
import dev.amqptasks.client.TaskEnqueuer;
import dev.amqptasks.client.TaskReplayer;
import dev.amqptasks.client.TaskResults;
import dev.amqptasks.spi.TaskLifecycleListener;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.task.TaskArguments;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskCatalogReport;
import dev.amqptasks.task.TaskInvoker;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Role;

/**
 * Auto-configuration of the task API: {@code @AmqpTask} proxies, {@link TaskClient}, the
 * RabbitMQ topology and the confirmed publisher. It uses the application's single (or
 * primary) RabbitMQ {@code ConnectionFactory}, or the one named by
 * {@code amqp-tasks.connection-factory}.
 */
@AutoConfiguration(
		after = { RabbitAutoConfiguration.class, JacksonAutoConfiguration.class, TaskRegistryAutoConfiguration.class })
@ConditionalOnClass(RabbitTemplate.class)
@Conditional(ConnectionFactories.RabbitCondition.class)
@ConditionalOnBean(TaskRegistry.class)
@EnableConfigurationProperties(AmqpTasksProperties.class)
public final class AmqpTasksAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static TaskCatalog amqpTasksCatalog() {
		return new TaskCatalog();
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static AmqpTaskBeanPostProcessor amqpTasksBeanPostProcessor(TaskCatalog amqpTasksCatalog,
			ObjectProvider<TaskEnqueuer> enqueuer, ObjectProvider<TaskArguments> arguments,
			ObjectProvider<TaskResults> results) {
		return new AmqpTaskBeanPostProcessor(amqpTasksCatalog, enqueuer, arguments, results);
	}

	@Bean
	TaskCatalogReport amqpTasksCatalogReport(TaskCatalog amqpTasksCatalog) {
		return new TaskCatalogReport(amqpTasksCatalog);
	}

	@Bean
	@ConditionalOnMissingBean
	DelayLadder amqpTasksDelayLadder() {
		return new DelayLadder();
	}

	@Bean
	TaskTopology amqpTasksTopology(AmqpTasksProperties properties, DelayLadder amqpTasksDelayLadder) {
		return new TaskTopology(properties.exchange(), properties.queue(), properties.errorQueueTtl(),
				amqpTasksDelayLadder);
	}

	@Bean
	Declarables amqpTasksDeclarables(TaskTopology amqpTasksTopology, AmqpTasksProperties properties,
			ObjectProvider<ConnectionFactory> connectionFactories, ApplicationContext context) {
		Declarables declarables = amqpTasksTopology.declarables();
		if (properties.connectionFactory() != null) {
			// On the named connection factory, by an admin of its own: the application's
			// admins
			// (on other connection factories, maybe other brokers) leave these alone.
			RabbitAdmin admin = new RabbitAdmin(ConnectionFactories.rabbit(properties, context, connectionFactories));
			admin.setBeanName("amqpTasksRabbitAdmin");
			admin.setApplicationContext(context);
			admin.setAutoStartup(context.getEnvironment().getProperty("spring.rabbitmq.dynamic", Boolean.class, true));
			declarables.getDeclarables().forEach((declarable) -> declarable.setAdminsThatShouldDeclare(admin));
			admin.afterPropertiesSet();
		}
		return declarables;
	}

	@Bean
	TaskArguments amqpTasksArguments(ObjectProvider<JsonMapper> jsonMapper) {
		return new TaskArguments(AmqpTasksJson.mapper(jsonMapper));
	}

	@Bean
	TaskInvoker amqpTasksInvoker(TaskArguments amqpTasksArguments) {
		return new TaskInvoker(amqpTasksArguments);
	}

	@Bean
	@ConditionalOnMissingBean(TaskPublisher.class)
	TaskPublisher amqpTasksPublisher(ObjectProvider<ConnectionFactory> connectionFactories,
			TaskTopology amqpTasksTopology, ObjectProvider<JsonMapper> jsonMapper, AmqpTasksProperties properties,
			ApplicationContext context, ObjectProvider<AmqpTasksRabbitTemplateCustomizer> customizers) {
		ConnectionFactory connectionFactory = ConnectionFactories.rabbit(properties, context, connectionFactories);
		if (!connectionFactory.isPublisherConfirms()) {
			throw new IllegalStateException("amqp-tasks needs publisher confirms to know the broker has each task: "
					+ "set spring.rabbitmq.publisher-confirm-type=correlated");
		}
		RabbitTemplate template = new RabbitTemplate(connectionFactory);
		// Observed publishes carry the trace context in the message headers; the template
		// finds
		// the application's ObservationRegistry (if any) through the context.
		template.setBeanName("amqpTasksRabbitTemplate");
		template.setApplicationContext(context);
		template.setObservationEnabled(true);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(template));
		return new TaskPublisher(template, amqpTasksTopology, AmqpTasksJson.mapper(jsonMapper),
				properties.confirmTimeout(), Clock.systemUTC());
	}

	@Bean
	TaskEnqueuer amqpTasksEnqueuer(TaskCatalog amqpTasksCatalog, TaskArguments amqpTasksArguments,
			TaskRegistry amqpTasksRegistry, TaskPublisher amqpTasksPublisher, ObjectProvider<JsonMapper> jsonMapper,
			AmqpTasksProperties properties, ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<TaskLifecycleListener> lifecycleListeners) {
		TaskEnqueuer enqueuer = new TaskEnqueuer(amqpTasksCatalog, amqpTasksArguments, amqpTasksRegistry,
				amqpTasksPublisher, AmqpTasksJson.mapper(jsonMapper), properties.retry().maxRetries());
		enqueuer.setObservationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
		enqueuer.setLifecycleListener(TaskLifecycleListener.of(lifecycleListeners.orderedStream().toList()));
		// The workers' limit, so that a task they would dead-letter is refused before it
		// is stored.
		enqueuer.setMaxMessageSize(properties.worker().maxMessageSize().toBytes());
		return enqueuer;
	}

	@Bean
	TaskReplayer amqpTasksReplayer(TaskRegistry amqpTasksRegistry, TaskPublisher amqpTasksPublisher) {
		return new TaskReplayer(amqpTasksRegistry, amqpTasksPublisher);
	}

	@Bean
	TaskResults amqpTasksResults(TaskRegistry amqpTasksRegistry, ObjectProvider<JsonMapper> jsonMapper) {
		return new TaskResults(amqpTasksRegistry, AmqpTasksJson.mapper(jsonMapper));
	}

	@Bean
	@ConditionalOnMissingBean(TaskQueueDepths.class)
	RabbitTaskQueueDepths amqpTasksQueueDepths(ObjectProvider<ConnectionFactory> connectionFactories,
			BeanFactory beanFactory, TaskTopology amqpTasksTopology, AmqpTasksProperties properties) {
		return new RabbitTaskQueueDepths(ConnectionFactories.rabbit(properties, beanFactory, connectionFactories),
				amqpTasksTopology, properties.metrics().queuePollInterval());
	}

	@Bean
	@ConditionalOnMissingBean
	TaskClient amqpTasksClient(TaskEnqueuer amqpTasksEnqueuer, TaskRegistry amqpTasksRegistry,
			ObjectProvider<JsonMapper> jsonMapper) {
		return new DefaultTaskClient(amqpTasksEnqueuer, amqpTasksRegistry, AmqpTasksJson.mapper(jsonMapper));
	}

}
