package dev.amqptasks.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.amqptasks.AmqpTask;
import dev.amqptasks.TaskClient;
import dev.amqptasks.registry.RedisTaskRegistry;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskDefinition;
import dev.amqptasks.task.TaskPolicy;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.worker.TaskWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.system.JavaVersion;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.annotation.Order;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for the extension points Spring users expect: customizers of the template and the
 * listener container amqp-tasks builds, naming the connection factories, placeholders in
 * {@code @AmqpTask}, prefixed bean names and {@code spring.threads.virtual.enabled}.
 */
@ExtendWith(OutputCaptureExtension.class)
class AmqpTasksExtensionPointsTests {

	private final String queue = LocalServices.uniqueName("extension");

	private final ApplicationContextRunner contextRunner = AmqpTasksContextRunners.onLocalServices()
		.withPropertyValues("amqp-tasks.registry.key-prefix=" + this.queue, "amqp-tasks.queue=" + this.queue,
				"amqp-tasks.exchange=" + this.queue);

	@AfterEach
	void deleteQueues() {
		AmqpTasksContextRunners.deleteQueues(this.queue);
	}

	@Test
	void rabbitTemplateCustomizersAreAppliedInOrderToTheTemplateTasksArePublishedWith() {
		OrderedCustomizers.calls.clear();
		this.contextRunner.withUserConfiguration(OrderedCustomizers.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(OrderedCustomizers.calls).extracting(Call::name).containsExactly("first", "second");
			RabbitTemplate template = OrderedCustomizers.calls.get(0).template();
			assertThat(template.getConnectionFactory()).isSameAs(context.getBean(ConnectionFactory.class));
			assertThat(template).isNotSameAs(context.getBean(RabbitTemplate.class));
		});
	}

	@Test
	void listenerContainerCustomizersAreAppliedToTheWorkersContainerBeforeItStarts() {
		List<DirectMessageListenerContainer> containers = new CopyOnWriteArrayList<>();
		this.contextRunner.withPropertyValues("amqp-tasks.worker.enabled=true")
			.withBean(AmqpTasksListenerContainerCustomizer.class, () -> (container) -> {
				assertThat(container.isRunning()).isFalse();
				container.setConsumerTagStrategy((queue) -> "customized-" + queue);
				containers.add(container);
			})
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(TaskWorker.class);
				assertThat(containers).singleElement().satisfies((container) -> {
					assertThat(container.getQueueNames()).contains(this.queue);
					assertThat(container.isRunning()).isTrue();
				});
			});
	}

	@Test
	void withTwoRabbitConnectionFactoriesThePrimaryIsUsedUnlessOneIsNamed() {
		List<RabbitTemplate> templates = new CopyOnWriteArrayList<>();
		this.contextRunner.withUserConfiguration(TwoRabbitConnectionFactories.class)
			.withBean(AmqpTasksRabbitTemplateCustomizer.class, () -> templates::add)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(TaskClient.class);
				assertThat(templates).singleElement()
					.satisfies((template) -> assertThat(template.getConnectionFactory())
						.isSameAs(context.getBean("appConnectionFactory")));
			});
	}

	@Test
	void theNamedRabbitConnectionFactoryIsTheOneTasksArePublishedThrough() {
		List<RabbitTemplate> templates = new CopyOnWriteArrayList<>();
		this.contextRunner.withUserConfiguration(TwoRabbitConnectionFactories.class)
			.withPropertyValues("amqp-tasks.connection-factory=tasksConnectionFactory")
			.withBean(AmqpTasksRabbitTemplateCustomizer.class, () -> templates::add)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(TaskClient.class);
				assertThat(templates).singleElement()
					.satisfies((template) -> assertThat(template.getConnectionFactory())
						.isSameAs(context.getBean("tasksConnectionFactory")));
				// The topology is declared on that connection factory, not by the
				// application's admin.
				assertThat(context.getBean(Declarables.class).getDeclarables()).isNotEmpty()
					.allSatisfy((declarable) -> assertThat(declarable.getDeclaringAdmins()).singleElement()
						.isInstanceOfSatisfying(RabbitAdmin.class, (admin) -> {
							assertThat(admin).isNotSameAs(context.getBean("amqpAdmin"));
							assertThat(admin.getRabbitTemplate().getConnectionFactory())
								.isSameAs(context.getBean("tasksConnectionFactory"));
						}));
				TaskClient client = context.getBean(TaskClient.class);
				assertThat(client.enqueue("no.such.task", List.of(), java.util.Map.of()).status())
					.isEqualTo(dev.amqptasks.TaskStatus.SCHEDULED);
			});
	}

	@Test
	void aConnectionFactoryNameThatIsNoSuchBeanFailsStartupNamingTheProperty() {
		this.contextRunner.withUserConfiguration(TwoRabbitConnectionFactories.class)
			.withPropertyValues("amqp-tasks.connection-factory=nope")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining(
						"amqp-tasks.connection-factory names 'nope', which is not a ConnectionFactory bean")
				.hasStackTraceContaining("tasksConnectionFactory"));
	}

	@Test
	void theNamedRedisConnectionFactoryIsTheOneTheRegistryUses() {
		this.contextRunner.withUserConfiguration(TwoRedisConnectionFactories.class)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskRegistry.class));
		this.contextRunner.withUserConfiguration(TwoRedisConnectionFactories.class)
			.withPropertyValues("amqp-tasks.redis-connection-factory=tasksRedis")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(RedisTaskRegistry.class);
				assertThat(context).hasSingleBean(TaskClient.class);
			});
	}

	@Test
	void placeholdersInAmqpTaskAttributesAreResolved(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(PlaceholderTasks.class)
			.withPropertyValues("app.tasks.prefix=billing", "app.tasks.timeout=7s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				TaskDefinition task = context.getBean(TaskCatalog.class).find("billing.send").orElseThrow();
				TaskPolicy policy = task
					.policy(new TaskPolicy(0, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 0, null, List.of()));
				assertThat(policy.timeout()).isEqualTo(Duration.ofSeconds(7));
			});
		assertThat(output).contains("1 task is registered: billing.send");
	}

	@Test
	void anUnresolvablePlaceholderFailsStartupNamingTheMethod() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class))
			.withUserConfiguration(PlaceholderTasks.class)
			.withPropertyValues("app.tasks.timeout=7s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("@AmqpTask(name) of " + Tasks.class.getName() + ".send is not valid")
				.hasStackTraceContaining("app.tasks.prefix"));
	}

	@Test
	void beanNamesArePrefixedSoThatTheApplicationsOwnBeansDoNotClash() {
		this.contextRunner.withBean("taskClient", String.class, () -> "the application's own")
			.withBean("taskRegistry", String.class, () -> "the application's own")
			.withBean("taskWorker", String.class, () -> "the application's own")
			.withBean("workerDirectory", String.class, () -> "the application's own")
			.withPropertyValues("amqp-tasks.worker.enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(TaskClient.class)
					.hasBean("amqpTasksClient")
					.hasBean("amqpTasksRegistry")
					.hasBean("amqpTasksWorker")
					.hasBean("amqpTasksWorkerDirectory")
					.hasBean("amqpTasksBeanPostProcessor");
				assertThat(context.getBean("taskClient")).isEqualTo("the application's own");
			});
	}

	@Test
	void virtualThreadsTurnedOffExplicitlyAreNotUsed() {
		this.contextRunner.withPropertyValues("amqp-tasks.worker.enabled=true", "spring.threads.virtual.enabled=false")
			.run((context) -> assertThat(context.getBean(TaskWorker.class).usesVirtualThreads()).isFalse());
	}

	@Test
	void virtualThreadsAreUsedByDefaultWhereJavaHasThem() {
		assumeTrue(JavaVersion.getJavaVersion().isEqualOrNewerThan(JavaVersion.TWENTY_ONE));
		this.contextRunner.withPropertyValues("amqp-tasks.worker.enabled=true")
			.run((context) -> assertThat(context.getBean(TaskWorker.class).usesVirtualThreads()).isTrue());
	}

	record Call(String name, RabbitTemplate template) {
	}

	@Configuration(proxyBeanMethods = false)
	static class OrderedCustomizers {

		static final List<Call> calls = new CopyOnWriteArrayList<>();

		@Bean
		@Order(2)
		AmqpTasksRabbitTemplateCustomizer second() {
			return (template) -> calls.add(new Call("second", template));
		}

		@Bean
		@Order(1)
		AmqpTasksRabbitTemplateCustomizer first() {
			return (template) -> calls.add(new Call("first", template));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoRabbitConnectionFactories {

		@Bean
		@Primary
		CachingConnectionFactory appConnectionFactory() {
			return connectionFactory();
		}

		@Bean
		CachingConnectionFactory tasksConnectionFactory() {
			return connectionFactory();
		}

		private static CachingConnectionFactory connectionFactory() {
			CachingConnectionFactory connectionFactory = new CachingConnectionFactory(LocalServices.rabbit().host(),
					LocalServices.rabbit().port());
			connectionFactory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
			connectionFactory.setPublisherReturns(true);
			return connectionFactory;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoRedisConnectionFactories {

		@Bean
		RedisConnectionFactory appRedis() {
			return redis();
		}

		@Bean
		RedisConnectionFactory tasksRedis() {
			return redis();
		}

		private static LettuceConnectionFactory redis() {
			return new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(LocalServices.redis().host(), LocalServices.redis().port()));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlaceholderTasks {

		@Bean
		Tasks placeholderTasks() {
			return new Tasks();
		}

	}

	public static class Tasks {

		@AmqpTask(name = "${app.tasks.prefix}.send", timeout = "${app.tasks.timeout}")
		public void send(String to) {
		}

	}

}
