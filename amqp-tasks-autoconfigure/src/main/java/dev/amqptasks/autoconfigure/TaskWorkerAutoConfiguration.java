package dev.amqptasks.autoconfigure;

import java.time.Instant;
import java.util.List;

import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.spi.TaskExecutionInterceptor;
import dev.amqptasks.spi.TaskLifecycleListener;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskInvoker;
import dev.amqptasks.task.TaskPolicy;
import dev.amqptasks.worker.TaskWorker;
import dev.amqptasks.worker.WorkerIdentity;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the worker, when {@code amqp-tasks.worker.enabled=true}. Its
 * listener container is customized by {@link AmqpTasksListenerContainerCustomizer} beans;
 * tasks run on virtual threads where Java has them, unless
 * {@code spring.threads.virtual.enabled} says otherwise.
 */
@AutoConfiguration(after = AmqpTasksAutoConfiguration.class)
@ConditionalOnBooleanProperty("amqp-tasks.worker.enabled")
@ConditionalOnBean(TaskTopology.class)
public final class TaskWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WorkerIdentity amqpTasksWorkerIdentity() {
		return WorkerIdentity.ofThisProcess(Instant.now());
	}

	@Bean
	@ConditionalOnMissingBean
	TaskWorker amqpTasksWorker(ObjectProvider<ConnectionFactory> connectionFactories, BeanFactory beanFactory,
			TaskTopology amqpTasksTopology, TaskCatalog amqpTasksCatalog, TaskInvoker amqpTasksInvoker,
			TaskRegistry amqpTasksRegistry, TaskPublisher amqpTasksPublisher, ObjectProvider<JsonMapper> jsonMapper,
			WorkerDirectory amqpTasksWorkerDirectory, WorkerIdentity amqpTasksWorkerIdentity,
			AmqpTasksProperties properties, ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<TaskLifecycleListener> lifecycleListeners,
			ObjectProvider<AmqpTasksListenerContainerCustomizer> containerCustomizers,
			ObjectProvider<TaskExecutionInterceptor> executionInterceptors, ApplicationEventPublisher eventPublisher,
			Environment environment) {
		ConnectionFactory connectionFactory = ConnectionFactories.rabbit(properties, beanFactory, connectionFactories);
		AmqpTasksProperties.Worker worker = properties.worker();
		AmqpTasksProperties.Retry retry = properties.retry();
		TaskPolicy defaults = new TaskPolicy(retry.maxRetries(), retry.delay(), retry.multiplier(), retry.maxDelay(),
				retry.jitter(), null, List.of());
		TaskWorker taskWorker = new TaskWorker(connectionFactory, amqpTasksTopology, amqpTasksCatalog, amqpTasksInvoker,
				amqpTasksRegistry, amqpTasksPublisher, AmqpTasksJson.mapper(jsonMapper), amqpTasksWorkerDirectory,
				amqpTasksWorkerIdentity,
				new TaskWorker.Settings(worker.maxRunningTasks(), worker.cancelCheckInterval(),
						worker.shutdownGracePeriod(), worker.leaseTtl(), worker.maxMessageSize().toBytes(), defaults,
						properties.beacon().ttl(), properties.beacon().exitOnLoss(), worker.autoKillTimeout(),
						worker.unknownTaskTimeout()));
		taskWorker.setObservationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
		taskWorker.setLifecycleListener(TaskLifecycleListener.of(lifecycleListeners.orderedStream().toList()));
		taskWorker.setExecutionInterceptors(executionInterceptors.orderedStream().toList());
		taskWorker.setEventPublisher(eventPublisher);
		List<AmqpTasksListenerContainerCustomizer> customizers = containerCustomizers.orderedStream().toList();
		taskWorker.setContainerCustomizer(
				(container) -> customizers.forEach((customizer) -> customizer.customize(container)));
		// Only an explicit setting: by default tasks run on virtual threads where Java
		// has them.
		Boolean virtualThreads = environment.getProperty("spring.threads.virtual.enabled", Boolean.class);
		if (virtualThreads != null) {
			taskWorker.setVirtualThreads(virtualThreads);
		}
		return taskWorker;
	}

}
