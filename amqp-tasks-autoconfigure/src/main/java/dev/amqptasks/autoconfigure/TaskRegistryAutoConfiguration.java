package dev.amqptasks.autoconfigure;

import java.time.Clock;

import dev.amqptasks.registry.InMemoryTaskRegistry;
import dev.amqptasks.registry.RedisTaskRegistry;
import dev.amqptasks.registry.TaskRegistry;
import dev.amqptasks.worker.InMemoryWorkerDirectory;
import dev.amqptasks.worker.RedisWorkerDirectory;
import dev.amqptasks.worker.WorkerDirectory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Auto-configuration of the {@link TaskRegistry}: Redis by default, memory when
 * {@code amqp-tasks.registry.type=memory}.
 */
@AutoConfiguration(after = { DataRedisAutoConfiguration.class, JacksonAutoConfiguration.class })
@EnableConfigurationProperties(AmqpTasksProperties.class)
public final class TaskRegistryAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(StringRedisTemplate.class)
	@ConditionalOnProperty(name = "amqp-tasks.registry.type", havingValue = "redis", matchIfMissing = true)
	@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
	static class RedisRegistryConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "amqpTasksRedisListenerContainer")
		RedisMessageListenerContainer amqpTasksRedisListenerContainer(RedisConnectionFactory connectionFactory) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(connectionFactory);
			return container;
		}

		@Bean
		@ConditionalOnMissingBean(WorkerDirectory.class)
		RedisWorkerDirectory workerDirectory(RedisConnectionFactory connectionFactory,
				ObjectProvider<JsonMapper> jsonMapper, AmqpTasksProperties properties) {
			return new RedisWorkerDirectory(new StringRedisTemplate(connectionFactory), AmqpTasksJson.mapper(jsonMapper),
					properties.registry().keyPrefix(), Clock.systemUTC());
		}

		@Bean
		@ConditionalOnMissingBean(TaskRegistry.class)
		RedisTaskRegistry taskRegistry(RedisConnectionFactory connectionFactory,
				@Qualifier("amqpTasksRedisListenerContainer") RedisMessageListenerContainer listeners,
				ObjectProvider<JsonMapper> jsonMapper, AmqpTasksProperties properties) {
			return new RedisTaskRegistry(new StringRedisTemplate(connectionFactory), listeners,
					AmqpTasksJson.mapper(jsonMapper), properties.registry().keyPrefix(), properties.registry().ttl(),
					properties.errorQueueTtl(), Clock.systemUTC());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "amqp-tasks.registry.type", havingValue = "memory")
	static class InMemoryRegistryConfiguration {

		@Bean
		@ConditionalOnMissingBean(WorkerDirectory.class)
		InMemoryWorkerDirectory workerDirectory() {
			return new InMemoryWorkerDirectory(Clock.systemUTC());
		}

		@Bean
		@ConditionalOnMissingBean(TaskRegistry.class)
		InMemoryTaskRegistry taskRegistry(ObjectProvider<JsonMapper> jsonMapper, AmqpTasksProperties properties) {
			return new InMemoryTaskRegistry(AmqpTasksJson.mapper(jsonMapper), properties.registry().ttl(),
					properties.errorQueueTtl(), Clock.systemUTC());
		}

	}

}
