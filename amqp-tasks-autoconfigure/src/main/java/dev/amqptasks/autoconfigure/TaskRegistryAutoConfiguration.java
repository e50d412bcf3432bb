package dev.amqptasks.autoconfigure;

import java.time.Clock;

import dev.amqptasks.registry.InMemoryTaskRegistry;
import dev.amqptasks.registry.RedisTaskRegistry;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.worker.InMemoryWorkerDirectory;
import dev.amqptasks.worker.RedisWorkerDirectory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Auto-configuration of the {@link TaskRegistry}: Redis by default (the application's
 * single or primary {@code RedisConnectionFactory}, or the one named by
 * {@code amqp-tasks.redis-connection-factory}), memory when
 * {@code amqp-tasks.registry.type=memory}.
 */
@AutoConfiguration(after = { DataRedisAutoConfiguration.class, JacksonAutoConfiguration.class })
@EnableConfigurationProperties(AmqpTasksProperties.class)
public final class TaskRegistryAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(StringRedisTemplate.class)
	@ConditionalOnProperty(name = "amqp-tasks.registry.type", havingValue = "redis", matchIfMissing = true)
	@Conditional(ConnectionFactories.RedisCondition.class)
	static class RedisRegistryConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "amqpTasksRedisListenerContainer")
		RedisMessageListenerContainer amqpTasksRedisListenerContainer(
				ObjectProvider<RedisConnectionFactory> connectionFactories, BeanFactory beanFactory,
				AmqpTasksProperties properties) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(ConnectionFactories.redis(properties, beanFactory, connectionFactories));
			return container;
		}

		@Bean
		@ConditionalOnMissingBean(WorkerDirectory.class)
		RedisWorkerDirectory amqpTasksWorkerDirectory(ObjectProvider<RedisConnectionFactory> connectionFactories,
				BeanFactory beanFactory, ObjectProvider<JsonMapper> jsonMapper, AmqpTasksProperties properties) {
			RedisConnectionFactory connectionFactory = ConnectionFactories.redis(properties, beanFactory,
					connectionFactories);
			return new RedisWorkerDirectory(new StringRedisTemplate(connectionFactory),
					AmqpTasksJson.mapper(jsonMapper), properties.registry().keyPrefix(), Clock.systemUTC());
		}

		@Bean
		@ConditionalOnMissingBean(TaskRegistry.class)
		RedisTaskRegistry amqpTasksRegistry(ObjectProvider<RedisConnectionFactory> connectionFactories,
				BeanFactory beanFactory,
				@Qualifier("amqpTasksRedisListenerContainer") RedisMessageListenerContainer listeners,
				ObjectProvider<JsonMapper> jsonMapper, AmqpTasksProperties properties) {
			RedisConnectionFactory connectionFactory = ConnectionFactories.redis(properties, beanFactory,
					connectionFactories);
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
		InMemoryWorkerDirectory amqpTasksWorkerDirectory() {
			return new InMemoryWorkerDirectory(Clock.systemUTC());
		}

		@Bean
		@ConditionalOnMissingBean(TaskRegistry.class)
		InMemoryTaskRegistry amqpTasksRegistry(ObjectProvider<JsonMapper> jsonMapper, AmqpTasksProperties properties) {
			return new InMemoryTaskRegistry(AmqpTasksJson.mapper(jsonMapper), properties.registry().ttl(),
					properties.errorQueueTtl(), Clock.systemUTC());
		}

	}

}
