package dev.amqptasks.autoconfigure;

import java.time.Instant;
import java.util.List;

import dev.amqptasks.core.TaskCatalog;
import dev.amqptasks.core.TaskInvoker;
import dev.amqptasks.core.TaskLifecycleListener;
import dev.amqptasks.core.TaskPolicy;
import dev.amqptasks.core.TaskPublisher;
import dev.amqptasks.core.TaskTopology;
import dev.amqptasks.registry.TaskRegistry;
import dev.amqptasks.worker.TaskWorker;
import dev.amqptasks.worker.WorkerDirectory;
import dev.amqptasks.worker.WorkerIdentity;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the worker, when {@code amqp-tasks.worker.enabled=true}.
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
	TaskWorker taskWorker(ConnectionFactory connectionFactory, TaskTopology amqpTasksTopology,
			TaskCatalog amqpTasksCatalog, TaskInvoker amqpTasksInvoker, TaskRegistry taskRegistry,
			TaskPublisher amqpTasksPublisher, ObjectProvider<JsonMapper> jsonMapper, WorkerDirectory workerDirectory,
			WorkerIdentity amqpTasksWorkerIdentity, AmqpTasksProperties properties,
			ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<TaskLifecycleListener> lifecycleListeners) {
		AmqpTasksProperties.Worker worker = properties.worker();
		AmqpTasksProperties.Retry retry = properties.retry();
		TaskPolicy defaults = new TaskPolicy(retry.maxRetries(), retry.delay(), retry.multiplier(), retry.maxDelay(),
				retry.jitter(), null, List.of());
		TaskWorker taskWorker = new TaskWorker(connectionFactory, amqpTasksTopology, amqpTasksCatalog,
				amqpTasksInvoker, taskRegistry, amqpTasksPublisher, AmqpTasksJson.mapper(jsonMapper), workerDirectory,
				amqpTasksWorkerIdentity,
				new TaskWorker.Settings(worker.maxRunningTasks(), worker.cancelCheckInterval(),
						worker.shutdownGracePeriod(), worker.leaseTtl(), worker.maxMessageSize().toBytes(), defaults,
						properties.beacon().ttl(), properties.beacon().exitOnLoss(), worker.autoKillTimeout(),
						worker.unknownTaskTimeout()));
		taskWorker.setObservationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
		taskWorker.setLifecycleListener(TaskLifecycleListener.of(lifecycleListeners.orderedStream().toList()));
		return taskWorker;
	}

}
