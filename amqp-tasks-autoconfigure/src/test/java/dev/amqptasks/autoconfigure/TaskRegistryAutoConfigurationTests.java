package dev.amqptasks.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.amqptasks.TaskClient;
import dev.amqptasks.registry.InMemoryTaskRegistry;
import dev.amqptasks.registry.RedisTaskRegistry;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.listener.Topic;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskRegistryAutoConfiguration}.
 */
class TaskRegistryAutoConfigurationTests {

	private final String keyPrefix = LocalServices.uniqueName("autoconfig");

	private final ApplicationContextRunner contextRunner = AmqpTasksContextRunners.onLocalServices()
		.withPropertyValues("amqp-tasks.registry.key-prefix=" + this.keyPrefix);

	@Test
	void theRegistryIsInRedisByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(TaskRegistry.class).hasBean("amqpTasksRedisListenerContainer");
			assertThat(context).getBean(TaskRegistry.class).isInstanceOf(RedisTaskRegistry.class);
		});
	}

	@Test
	void theRedisRegistryKeepsTasksUnderTheKeyPrefixForTheTimeToLive() {
		this.contextRunner.withPropertyValues("amqp-tasks.registry.ttl=1h").run((context) -> {
			StringRedisTemplate redis = new StringRedisTemplate(context.getBean(RedisConnectionFactory.class));
			String key = "{" + this.keyPrefix + "}:task:t1";
			try {
				context.getBean(TaskRegistry.class).create(new NewTask("t1", "autoconfig.ping", "[]", "{}", 0));

				assertThat(redis.hasKey(key)).isTrue();
				assertThat(redis.getExpire(key, TimeUnit.SECONDS)).isBetween(3500L, 3600L);
			}
			finally {
				try (Cursor<String> keys = redis
					.scan(ScanOptions.scanOptions().match("{" + this.keyPrefix + "}:*").build())) {
					keys.forEachRemaining(redis::delete);
				}
			}
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "memory", "MEMORY" })
	void theRegistryIsInMemoryWhenTheTypeIsMemory(String type) {
		this.contextRunner.withPropertyValues("amqp-tasks.registry.type=" + type).run((context) -> {
			assertThat(context).hasSingleBean(TaskRegistry.class).doesNotHaveBean("amqpTasksRedisListenerContainer");
			assertThat(context).getBean(TaskRegistry.class).isInstanceOf(InMemoryTaskRegistry.class);
		});
	}

	@Test
	void theMemoryRegistryNeedsNoRedis() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.withPropertyValues("amqp-tasks.registry.type=memory")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(RedisConnectionFactory.class);
				assertThat(context).getBean(TaskRegistry.class).isInstanceOf(InMemoryTaskRegistry.class);
				assertThat(context).hasSingleBean(TaskClient.class);
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "redis", "memory" })
	void aUserDefinedTaskRegistryBacksOffTheDefaultOne(String type) {
		this.contextRunner.withUserConfiguration(UserTaskRegistryConfiguration.class)
			.withPropertyValues("amqp-tasks.registry.type=" + type)
			.run((context) -> {
				assertThat(context).hasSingleBean(TaskRegistry.class).hasSingleBean(TaskClient.class);
				assertThat(context).getBean(TaskRegistry.class).isSameAs(context.getBean("userTaskRegistry"));
			});
	}

	@Test
	void aUserDefinedListenerContainerNamedAmqpTasksRedisListenerContainerBacksOffTheDefaultOne() {
		this.contextRunner.withUserConfiguration(UserAmqpTasksListenerContainerConfiguration.class).run((context) -> {
			assertThat(context).getBean("amqpTasksRedisListenerContainer")
				.isInstanceOf(RecordingListenerContainer.class);
			RecordingListenerContainer container = context.getBean(RecordingListenerContainer.class);

			try (AutoCloseable notices = context.getBean(TaskRegistry.class).onCancelRequested((id) -> {
			})) {
				assertThat(container.listenersAdded).isOne();
			}
		});
	}

	@Test
	void theRegistryKeepsItsOwnListenerContainerWhenTheApplicationHasAPrimaryOne() {
		this.contextRunner.withUserConfiguration(PrimaryListenerContainerConfiguration.class).run((context) -> {
			assertThat(context).hasBean("amqpTasksRedisListenerContainer");
			assertThat(context).getBean("amqpTasksRedisListenerContainer")
				.isNotInstanceOf(RecordingListenerContainer.class);
			RecordingListenerContainer primary = context.getBean(RecordingListenerContainer.class);

			try (AutoCloseable notices = context.getBean(TaskRegistry.class).onCancelRequested((id) -> {
			})) {
				assertThat(primary.listenersAdded).isZero();
			}
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserTaskRegistryConfiguration {

		@Bean
		TaskRegistry userTaskRegistry() {
			return new InMemoryTaskRegistry(JsonMapper.builder().build(), Duration.ofMinutes(1), Clock.systemUTC());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserAmqpTasksListenerContainerConfiguration {

		@Bean
		RecordingListenerContainer amqpTasksRedisListenerContainer(RedisConnectionFactory connectionFactory) {
			return new RecordingListenerContainer(connectionFactory);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryListenerContainerConfiguration {

		@Bean
		@Primary
		RecordingListenerContainer applicationListenerContainer(RedisConnectionFactory connectionFactory) {
			return new RecordingListenerContainer(connectionFactory);
		}

	}

	static class RecordingListenerContainer extends RedisMessageListenerContainer {

		int listenersAdded;

		RecordingListenerContainer(RedisConnectionFactory connectionFactory) {
			setConnectionFactory(connectionFactory);
		}

		@Override
		public void addMessageListener(MessageListener listener, Topic topic) {
			this.listenersAdded++;
			super.addMessageListener(listener, topic);
		}

	}

}
