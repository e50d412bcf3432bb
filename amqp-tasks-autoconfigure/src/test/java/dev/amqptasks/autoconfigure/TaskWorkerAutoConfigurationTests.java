package dev.amqptasks.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.amqptasks.WorkerEvent;
import dev.amqptasks.WorkerStartedEvent;
import dev.amqptasks.WorkerStoppedEvent;
import dev.amqptasks.WorkerStoppingEvent;
import dev.amqptasks.amqp.TaskPublisher;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.spi.TaskExecutionInterceptor;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskInvoker;
import dev.amqptasks.task.TaskPolicy;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.worker.TaskWorker;
import dev.amqptasks.worker.WorkerIdentity;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TaskWorkerAutoConfiguration}. A worker starts with its context and
 * consumes from the broker, so these tests use queues of their own, which they delete
 * afterwards.
 */
class TaskWorkerAutoConfigurationTests {

	private final String queue = LocalServices.uniqueName("autoconfig-worker");

	private final ApplicationContextRunner contextRunner = AmqpTasksContextRunners.onLocalServices()
		.withPropertyValues("amqp-tasks.registry.type=memory", "amqp-tasks.queue=" + this.queue,
				"amqp-tasks.exchange=" + this.queue);

	@AfterEach
	void deleteTheQueues() {
		AmqpTasksContextRunners.deleteQueues(this.queue);
	}

	@Test
	void noWorkerIsConfiguredByDefault() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(TaskWorker.class)
			.doesNotHaveBean(WorkerIdentity.class));
	}

	@Test
	void noWorkerIsConfiguredWhenDisabled() {
		this.contextRunner.withPropertyValues("amqp-tasks.worker.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TaskWorker.class));
	}

	@Test
	void anEnabledWorkerStartsWithTheContextAndConsumesTheConfiguredQueue() {
		this.contextRunner
			.withPropertyValues("amqp-tasks.worker.enabled=true", "amqp-tasks.worker.max-running-tasks=3",
					"amqp-tasks.worker.cancel-check-interval=2s", "amqp-tasks.worker.shutdown-grace-period=1s")
			.run((context) -> {
				assertThat(context).hasSingleBean(TaskWorker.class).hasSingleBean(WorkerIdentity.class);
				TaskWorker worker = context.getBean(TaskWorker.class);
				assertThat(worker.isRunning()).isTrue();
				assertThat(worker.identity()).isSameAs(context.getBean(WorkerIdentity.class));
				assertThat(worker.settings().maxRunningTasks()).isEqualTo(3);
				assertThat(worker.settings().cancelCheckInterval()).isEqualTo(Duration.ofSeconds(2));
				assertThat(worker.settings().shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(1));
				assertThat(worker.settings().leaseTtl()).isEqualTo(Duration.ofSeconds(30));
				assertThat(worker.settings().defaultPolicy().maxRetries()).isEqualTo(5);
				RabbitAdmin admin = new RabbitAdmin(context.getBean(ConnectionFactory.class));
				await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
					QueueInformation information = admin.getQueueInfo(this.queue);
					assertThat(information).isNotNull();
					assertThat(information.getConsumerCount()).isEqualTo(1);
				});
			});
	}

	@Test
	void aUserDefinedWorkerIdentityIsTheWorkers() {
		this.contextRunner.withUserConfiguration(UserWorkerIdentityConfiguration.class)
			.withPropertyValues("amqp-tasks.worker.enabled=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(WorkerIdentity.class);
				assertThat(context.getBean(TaskWorker.class).identity().id()).isEqualTo("user-worker");
			});
	}

	@Test
	void aUserDefinedTaskWorkerBacksOffTheDefaultOne() {
		this.contextRunner.withUserConfiguration(UserTaskWorkerConfiguration.class)
			.withPropertyValues("amqp-tasks.worker.enabled=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(TaskWorker.class);
				assertThat(context).getBean(TaskWorker.class).isSameAs(context.getBean("userTaskWorker"));
				assertThat(context.getBean(TaskWorker.class).settings().maxRunningTasks()).isEqualTo(1);
			});
	}

	@Test
	void executionInterceptorBeansReachTheWorkerInTheirOrder() {
		this.contextRunner.withUserConfiguration(ExecutionInterceptorsConfiguration.class)
			.withPropertyValues("amqp-tasks.worker.enabled=true")
			.run((context) -> assertThat(context.getBean(TaskWorker.class)).extracting("executionInterceptors")
				.asInstanceOf(InstanceOfAssertFactories.LIST)
				.containsExactly(context.getBean("firstInterceptor"), context.getBean("secondInterceptor")));
	}

	@Test
	void theWorkerHasNoExecutionInterceptorsByDefault() {
		this.contextRunner.withPropertyValues("amqp-tasks.worker.enabled=true")
			.run((context) -> assertThat(context.getBean(TaskWorker.class)).extracting("executionInterceptors")
				.asInstanceOf(InstanceOfAssertFactories.LIST)
				.isEmpty());
	}

	@Test
	void aListenerBeanHearsTheWorkerStartStoppingAndStopInThatOrder() {
		WorkerEventRecorder recorder = new WorkerEventRecorder();
		this.contextRunner.withBean(WorkerEventRecorder.class, () -> recorder)
			.withPropertyValues("amqp-tasks.worker.enabled=true")
			.run((context) -> {
				assertThat(recorder.events).hasSize(1);
				assertThat(recorder.events.get(0)).isInstanceOf(WorkerStartedEvent.class)
					.satisfies((event) -> assertThat(event.getSource()).isSameAs(context.getBean(TaskWorker.class)));
			});
		assertThat(recorder.events).hasExactlyElementsOfTypes(WorkerStartedEvent.class, WorkerStoppingEvent.class,
				WorkerStoppedEvent.class);
		assertThat(recorder.events).extracting(WorkerEvent::getWorkerId)
			.containsOnly(recorder.events.get(0).getWorkerId())
			.doesNotContainNull();
		assertThat(recorder.events).extracting(WorkerEvent::getPid).containsOnly(ProcessHandle.current().pid());
	}

	@Configuration(proxyBeanMethods = false)
	static class ExecutionInterceptorsConfiguration {

		// Declared second, called second: the order is @Order's, not the declaration's.
		@Bean
		@Order(2)
		TaskExecutionInterceptor secondInterceptor() {
			return (execution, chain) -> chain.proceed();
		}

		@Bean
		@Order(1)
		TaskExecutionInterceptor firstInterceptor() {
			return (execution, chain) -> chain.proceed();
		}

	}

	static class WorkerEventRecorder implements ApplicationListener<WorkerEvent> {

		final List<WorkerEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(WorkerEvent event) {
			this.events.add(event);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserWorkerIdentityConfiguration {

		@Bean
		WorkerIdentity userWorkerIdentity() {
			return new WorkerIdentity("user-worker", "localhost", 1, Instant.now());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserTaskWorkerConfiguration {

		@Bean
		TaskWorker userTaskWorker(ConnectionFactory connectionFactory, TaskTopology topology, TaskCatalog catalog,
				TaskInvoker invoker, TaskRegistry registry, TaskPublisher publisher, WorkerDirectory directory) {
			return new TaskWorker(connectionFactory, topology, catalog, invoker, registry, publisher,
					JsonMapper.builder().build(), directory, WorkerIdentity.ofThisProcess(Instant.now()),
					new TaskWorker.Settings(1, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(30),
							1024,
							new TaskPolicy(0, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 0, null, List.of()),
							Duration.ofSeconds(30), false, null, Duration.ofMinutes(5)));
		}

	}

}
