package dev.amqptasks.autoconfigure;

import java.time.Duration;
import java.util.List;

import dev.amqptasks.AmqpTask;
import dev.amqptasks.TaskClient;
import dev.amqptasks.amqp.DelayLadder;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.client.DefaultTaskClient;
import dev.amqptasks.client.TaskEnqueuer;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.web.TaskController;
import dev.amqptasks.worker.TaskWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link AmqpTasksAutoConfiguration} and the binding of
 * {@link AmqpTasksProperties}. Nothing here publishes or consumes, so no connection to
 * the broker is opened.
 */
class AmqpTasksAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = AmqpTasksContextRunners.onLocalServices()
		.withPropertyValues("amqp-tasks.registry.key-prefix=" + LocalServices.uniqueName("autoconfig"));

	@Test
	void theTaskApiIsConfiguredByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(TaskClient.class)
				.hasSingleBean(TaskEnqueuer.class)
				.hasSingleBean(TaskPublisher.class)
				.hasSingleBean(TaskTopology.class)
				.hasSingleBean(Declarables.class)
				.hasSingleBean(TaskCatalog.class)
				.hasSingleBean(AmqpTasksProperties.class);
			assertThat(context).getBean(TaskClient.class).isInstanceOf(DefaultTaskClient.class);
		});
	}

	@Test
	void neitherTheWorkerNorTheHttpApiIsConfiguredInAPlainApplication() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(TaskWorker.class)
			.doesNotHaveBean(TaskController.class));
	}

	@Test
	void nothingIsConfiguredWithoutSpringRabbitEvenWhenTheWorkerIsEnabled() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RabbitTemplate.class))
			.withPropertyValues("amqp-tasks.worker.enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(TaskClient.class)
					.doesNotHaveBean(TaskPublisher.class)
					.doesNotHaveBean(TaskWorker.class);
			});
	}

	@Test
	void aUserDefinedDelayLadderBacksOffTheDefaultOneAndTheTopologyUsesIt() {
		this.contextRunner.withBean("userDelayLadder", DelayLadder.class, () -> new DelayLadder(Duration.ofSeconds(2)))
			.run((context) -> {
				assertThat(context).hasSingleBean(DelayLadder.class);
				assertThat(context.getBean(TaskTopology.class).ladder()).isSameAs(context.getBean("userDelayLadder"));
				assertThat(context.getBean(TaskTopology.class).delayQueues()).last().isEqualTo("amqp-tasks-delay-1792");
			});
	}

	@Test
	void aUserDefinedTaskClientBacksOffTheDefaultOne() {
		this.contextRunner.withUserConfiguration(UserTaskClientConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TaskClient.class);
			assertThat(context).getBean(TaskClient.class).isSameAs(context.getBean("userTaskClient"));
		});
	}

	@Test
	void theTopologyIsNamedAndTimedAfterTheProperties() {
		this.contextRunner
			.withPropertyValues("amqp-tasks.queue=orders", "amqp-tasks.exchange=orders-exchange",
					"amqp-tasks.error-queue-ttl=1h")
			.run((context) -> {
				TaskTopology topology = context.getBean(TaskTopology.class);
				assertThat(topology.queue()).isEqualTo("orders");
				assertThat(topology.delayQueues()).hasSize(120)
					.startsWith("orders-delay-4")
					.endsWith("orders-delay-3758096384");
				assertThat(topology.errorQueue()).isEqualTo("orders-error");
				assertThat(topology.exchange()).isEqualTo("orders-exchange");
				Declarables declarables = context.getBean(Declarables.class);
				assertThat(declarables.getDeclarablesByType(DirectExchange.class)).singleElement()
					.satisfies((exchange) -> {
						assertThat(exchange.getName()).isEqualTo("orders-exchange");
						assertThat(exchange.isDurable()).isTrue();
					});
				List<Queue> queues = declarables.getDeclarablesByType(Queue.class);
				assertThat(queues).extracting(Queue::getName).containsExactlyInAnyOrder("orders", "orders-error");
				assertThat(queues).allMatch(Queue::isDurable);
				assertThat(queue(queues, "orders").getArguments())
					.containsEntry("x-dead-letter-exchange", "orders-exchange")
					.containsEntry("x-dead-letter-routing-key", "orders-error");
				assertThat(queue(queues, "orders-error").getArguments()).containsEntry("x-message-ttl", 3_600_000);
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "none", "simple" })
	void startupFailsNamingThePropertyWhenPublisherConfirmsAreOff(String confirmType) {
		this.contextRunner.withPropertyValues("spring.rabbitmq.publisher-confirm-type=" + confirmType)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("spring.rabbitmq.publisher-confirm-type=correlated"));
	}

	@Test
	void taskMethodsAreRegisteredByNameAndTheirBeanIsProxied() {
		this.contextRunner.withUserConfiguration(SingleTaskConfiguration.class).run((context) -> {
			assertThat(context.getBean(TaskCatalog.class).find("autoconfig.ping"))
				.hasValueSatisfying((definition) -> assertThat(definition.method().getName()).isEqualTo("ping"));
			assertThat(AopUtils.isAopProxy(context.getBean(PingTasks.class))).isTrue();
		});
	}

	@Test
	void twoTaskMethodsWithTheSameNameFailStartupNamingBothMethods() {
		this.contextRunner.withUserConfiguration(DuplicateTaskNamesConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("'autoconfig.duplicate'")
				.hasMessageContaining(FirstDuplicateTask.class.getName() + ".run")
				.hasMessageContaining(SecondDuplicateTask.class.getName() + ".run"));
	}

	@Test
	void aTaskMethodReturningAnIntFailsStartupNamingTheMethodAndTheAllowedReturnTypes() {
		this.contextRunner.withUserConfiguration(IntReturningTaskConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining(IntReturningTask.class.getName() + ".count")
				.hasMessageContaining("returns int")
				.hasMessageContaining("void, TaskHandle or CompletableFuture"));
	}

	@Test
	void propertiesDefaultToTheContractsValues() {
		this.contextRunner.run((context) -> {
			AmqpTasksProperties properties = context.getBean(AmqpTasksProperties.class);
			assertThat(properties.queue()).isEqualTo("amqp-tasks");
			assertThat(properties.exchange()).isEqualTo("amqp-tasks");
			assertThat(properties.errorQueueTtl()).isEqualTo(Duration.ofDays(7));
			assertThat(properties.registry().type()).isEqualTo(AmqpTasksProperties.RegistryType.REDIS);
			assertThat(properties.registry().ttl()).isEqualTo(Duration.ofHours(24));
			assertThat(properties.retry().maxRetries()).isEqualTo(5);
			assertThat(properties.retry().delay()).isEqualTo(Duration.ofMinutes(2));
			assertThat(properties.worker().enabled()).isFalse();
			assertThat(properties.worker().maxRunningTasks()).isEqualTo(20);
			assertThat(properties.worker().autoKillTimeout()).isNull();
			assertThat(properties.beacon().ttl()).isEqualTo(Duration.ofSeconds(30));
			// Unset: served only where Spring Security protects the API (see
			// OnTaskApiCondition).
			assertThat(properties.http().enabled()).isNull();
			assertThat(properties.connectionFactory()).isNull();
			assertThat(properties.redisConnectionFactory()).isNull();
			assertThat(properties.http().enqueueEnabled()).isFalse();
			assertThat(properties.http().path()).isEqualTo("/@amqp-tasks");
		});
	}

	@Test
	void anAutoKillTimeoutWithoutAUnitIsInSeconds() {
		this.contextRunner.withPropertyValues("amqp-tasks.worker.auto-kill-timeout=60")
			.run((context) -> assertThat(context.getBean(AmqpTasksProperties.class).worker().autoKillTimeout())
				.isEqualTo(Duration.ofSeconds(60)));
	}

	@Test
	void retryingForeverIsAllowed() {
		this.contextRunner.withPropertyValues("amqp-tasks.retry.max-retries=-1")
			.run((context) -> assertThat(context.getBean(AmqpTasksProperties.class).retry().maxRetries())
				.isEqualTo(-1));
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			amqp-tasks.worker.max-running-tasks | 0
			amqp-tasks.worker.max-running-tasks | 10001
			amqp-tasks.worker.auto-kill-timeout | 0
			amqp-tasks.retry.max-retries        | -2
			amqp-tasks.retry.delay              | 0s
			amqp-tasks.registry.type            | bogus
			amqp-tasks.registry.ttl             | -1s
			amqp-tasks.registry.key-prefix      | {x}
			amqp-tasks.http.path                | no-slash
			amqp-tasks.http.path                | /trailing/
			amqp-tasks.beacon.ttl               | 0s
			amqp-tasks.error-queue-ttl          | 0s
			amqp-tasks.queue                    | ' '
			""")
	void anInvalidValueFailsStartupNamingTheProperty(String property, String value) {
		this.contextRunner.withPropertyValues(property + "=" + value)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.satisfies((failure) -> assertThat(messagesOf(failure)).contains(property)));
	}

	private static Queue queue(List<Queue> queues, String name) {
		return queues.stream().filter((queue) -> queue.getName().equals(name)).findFirst().orElseThrow();
	}

	private static String messagesOf(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.append(cause.getMessage()).append('\n');
		}
		return messages.toString();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserTaskClientConfiguration {

		@Bean
		TaskClient userTaskClient() {
			return mock(TaskClient.class);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SingleTaskConfiguration {

		@Bean
		PingTasks pingTasks() {
			return new PingTasks();
		}

	}

	public static class PingTasks {

		@AmqpTask("autoconfig.ping")
		public void ping() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DuplicateTaskNamesConfiguration {

		@Bean
		FirstDuplicateTask firstDuplicateTask() {
			return new FirstDuplicateTask();
		}

		@Bean
		SecondDuplicateTask secondDuplicateTask() {
			return new SecondDuplicateTask();
		}

	}

	public static class FirstDuplicateTask {

		@AmqpTask("autoconfig.duplicate")
		public void run() {
		}

	}

	public static class SecondDuplicateTask {

		@AmqpTask("autoconfig.duplicate")
		public void run() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class IntReturningTaskConfiguration {

		@Bean
		IntReturningTask intReturningTask() {
			return new IntReturningTask();
		}

	}

	public static class IntReturningTask {

		@AmqpTask("autoconfig.count")
		public int count() {
			return 1;
		}

	}

}
