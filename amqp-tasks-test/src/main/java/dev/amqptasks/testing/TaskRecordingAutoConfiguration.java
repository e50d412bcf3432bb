package dev.amqptasks.testing;

import java.time.Clock;

import dev.amqptasks.amqp.DelayLadder;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.autoconfigure.AmqpTasksAutoConfiguration;
import dev.amqptasks.autoconfigure.AmqpTasksProperties;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskInvoker;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of task recording, imported by {@link AutoConfigureTaskRecording}:
 * the task publisher records messages instead of sending them, and queue depths are never
 * polled from a broker. Everything else (the proxies, {@code TaskClient}, argument
 * checks, the registry) is the application's usual amqp-tasks.
 */
@AutoConfiguration(before = AmqpTasksAutoConfiguration.class)
@EnableConfigurationProperties(AmqpTasksProperties.class)
public final class TaskRecordingAutoConfiguration {

	@Bean
	RecordedTasks amqpTasksRecordedTasks(ObjectProvider<TaskCatalog> catalog, ObjectProvider<TaskInvoker> invoker,
			ObjectProvider<TaskRegistry> registry, ObjectProvider<JsonMapper> jsonMapper) {
		return new RecordedTasks(catalog, invoker, registry,
				jsonMapper.getIfUnique(() -> JsonMapper.builder().findAndAddModules().build()));
	}

	@Bean
	TaskPublisher amqpTasksPublisher(RecordedTasks amqpTasksRecordedTasks, AmqpTasksProperties properties,
			ObjectProvider<JsonMapper> jsonMapper) {
		TaskTopology topology = new TaskTopology(properties.exchange(), properties.queue(), properties.errorQueueTtl(),
				new DelayLadder());
		return new TaskPublisher(new RecordingRabbitTemplate(amqpTasksRecordedTasks), topology,
				jsonMapper.getIfUnique(() -> JsonMapper.builder().findAndAddModules().build()),
				properties.confirmTimeout(), Clock.systemUTC());
	}

	@Bean
	TaskQueueDepths amqpTasksQueueDepths() {
		return () -> new TaskQueueDepths.Depths(-1, -1, -1);
	}

}
