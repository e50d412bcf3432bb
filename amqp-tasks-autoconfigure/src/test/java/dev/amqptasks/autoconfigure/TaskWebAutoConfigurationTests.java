package dev.amqptasks.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.amqptasks.client.TaskEnqueuer;
import dev.amqptasks.client.TaskReplayer;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.spi.WorkerStatus;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.web.TaskApiExceptionHandler;
import dev.amqptasks.web.TaskController;
import dev.amqptasks.web.TaskDashboardController;
import dev.amqptasks.web.TaskDashboardLoginController;
import dev.amqptasks.web.TaskOverviewController;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Tests for {@link TaskWebAutoConfiguration}. The registry is in memory and nothing is
 * published, so the broker is never contacted.
 */
class TaskWebAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, DataRedisAutoConfiguration.class,
				JacksonAutoConfiguration.class, TaskRegistryAutoConfiguration.class, AmqpTasksAutoConfiguration.class,
				TaskWorkerAutoConfiguration.class, TaskWebAutoConfiguration.class,
				HttpMessageConvertersAutoConfiguration.class, WebMvcAutoConfiguration.class,
				DispatcherServletAutoConfiguration.class))
		.withPropertyValues("spring.rabbitmq.publisher-confirm-type=correlated",
				"spring.rabbitmq.host=" + LocalServices.rabbit().host(),
				"spring.rabbitmq.port=" + LocalServices.rabbit().port(), "amqp-tasks.registry.type=memory",
				"amqp-tasks.http.enabled=true");

	@Test
	void theTaskApiIsConfiguredInAServletWebApplication() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(TaskController.class)
			.hasSingleBean(TaskApiExceptionHandler.class));
	}

	@Test
	void theTaskApiIsNotConfiguredWhenHttpIsDisabled() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TaskController.class)
				.doesNotHaveBean(TaskApiExceptionHandler.class));
	}

	@Test
	void aUserDefinedTaskControllerBacksOffTheDefaultOne() {
		this.contextRunner.withUserConfiguration(UserTaskControllerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TaskController.class).doesNotHaveBean("amqpTasksController");
			assertThat(context).getBean(TaskController.class).isSameAs(context.getBean("userTaskController"));
		});
	}

	@Test
	void aUserDefinedExceptionHandlerBacksOffTheDefaultOne() {
		this.contextRunner.withUserConfiguration(UserExceptionHandlerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TaskApiExceptionHandler.class)
				.doesNotHaveBean("amqpTasksApiExceptionHandler");
			assertThat(context).getBean(TaskApiExceptionHandler.class)
				.isSameAs(context.getBean("userTaskApiExceptionHandler"));
		});
	}

	@Test
	void theTaskApiIsServedAtTheConfiguredPath() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.path=/ops/tasks").run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

			mvc.perform(get("/ops/tasks"))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.items").isEmpty())
				.andExpect(jsonPath("$.next").value((Object) null));
			mvc.perform(get("/ops/tasks/unknown"))
				.andExpect(status().isNotFound())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
			mvc.perform(get("/@amqp-tasks")).andExpect(status().isNotFound());
		});
	}

	@Test
	void enqueuingOverHttpIsRefusedUnlessEnabled() {
		this.contextRunner.run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

			mvc.perform(post("/@amqp-tasks").contentType(MediaType.APPLICATION_JSON).content("{\"task\":\"any\"}"))
				.andExpect(status().isMethodNotAllowed())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.detail").value(containsString("amqp-tasks.http.enqueue-enabled")));
			assertThat(context.getBean(TaskRegistry.class).list(TaskQuery.all()).items()).isEmpty();
		});
	}

	@Test
	void theOverviewAndTheDashboardAreConfiguredWithTheTaskApi() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(TaskOverviewController.class)
			.hasSingleBean(TaskDashboardController.class)
			.doesNotHaveBean(TaskDashboardLoginController.class));
	}

	@Test
	void theDashboardIsNotConfiguredWhenDisabled() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.dashboard-enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(TaskDashboardController.class)
				.hasSingleBean(TaskOverviewController.class);
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
			mvc.perform(get("/@amqp-dashboard")).andExpect(status().isNotFound());
			mvc.perform(get("/@amqp-dashboard/assets/dashboard.js")).andExpect(status().isNotFound());
		});
	}

	@Test
	void aUserDefinedOverviewControllerBacksOffTheDefaultOne() {
		this.contextRunner.withUserConfiguration(UserOverviewControllerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TaskOverviewController.class)
				.doesNotHaveBean("amqpTasksOverviewController");
		});
	}

	@Test
	void statsCountTheRegistrysTasks() {
		this.contextRunner.run((context) -> {
			TaskRegistry registry = context.getBean(TaskRegistry.class);
			registry.create(new NewTask("stats-1", "sample.add", "[]", "{}", 0));
			registry.create(new NewTask("stats-2", "sample.add", "[]", "{}", 0));
			registry.requestCancel("stats-2");
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

			mvc.perform(get("/@amqp-stats"))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.tasks.scheduled").value(1))
				.andExpect(jsonPath("$.tasks.canceled").value(1))
				.andExpect(jsonPath("$.tasks.running").value(0))
				.andExpect(jsonPath("$.tasks.retrying").value(0))
				.andExpect(jsonPath("$.tasks.finished").value(0))
				.andExpect(jsonPath("$.tasks.errored").value(0))
				.andExpect(jsonPath("$.byName['sample.add'].scheduled").value(1))
				.andExpect(jsonPath("$.byName['sample.add'].canceled").value(1))
				.andExpect(jsonPath("$.queues").isMap());
		});
	}

	@Test
	void statsReportTheQueueDepthsThatArePolledAndUnknownForAFailedPoll() {
		this.contextRunner.withBean(TaskQueueDepths.class, () -> () -> new TaskQueueDepths.Depths(3, -1, 7))
			.run((context) -> MockMvcBuilders.webAppContextSetup(context)
				.build()
				.perform(get("/@amqp-stats"))
				.andExpect(jsonPath("$.queues.main").value(3))
				.andExpect(jsonPath("$.queues.delay").value((Object) null))
				.andExpect(jsonPath("$.queues.error").value(7)));
	}

	@Test
	void workersAreListedFromTheWorkerDirectory() {
		WorkerStatus worker = new WorkerStatus("worker-1", "host-1", 4242, Instant.parse("2026-03-01T10:00:00Z"),
				Instant.parse("2026-03-01T10:05:00Z"), 2, 20, "UP");
		this.contextRunner.withBean(WorkerDirectory.class, () -> new FixedWorkerDirectory(List.of(worker)))
			.run((context) -> MockMvcBuilders.webAppContextSetup(context)
				.build()
				.perform(get("/@amqp-workers"))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.items[0].id").value("worker-1"))
				.andExpect(jsonPath("$.items[0].host").value("host-1"))
				.andExpect(jsonPath("$.items[0].pid").value(4242))
				.andExpect(jsonPath("$.items[0].startedAt").value("2026-03-01T10:00:00Z"))
				.andExpect(jsonPath("$.items[0].lastBeacon").value("2026-03-01T10:05:00Z"))
				.andExpect(jsonPath("$.items[0].runningTasks").value(2))
				.andExpect(jsonPath("$.items[0].maxRunningTasks").value(20))
				.andExpect(jsonPath("$.items[0].status").value("UP")));
	}

	@Test
	void theWorkersAndStatsAreServedAtTheConfiguredPaths() {
		this.contextRunner
			.withPropertyValues("amqp-tasks.http.workers-path=/ops/workers", "amqp-tasks.http.stats-path=/ops/stats")
			.run((context) -> {
				MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
				mvc.perform(get("/ops/workers")).andExpect(status().isOk()).andExpect(jsonPath("$.items").isArray());
				mvc.perform(get("/ops/stats")).andExpect(status().isOk()).andExpect(jsonPath("$.tasks").isMap());
				mvc.perform(get("/@amqp-workers")).andExpect(status().isNotFound());
				mvc.perform(get("/@amqp-stats")).andExpect(status().isNotFound());
			});
	}

	@Test
	void theDashboardPageIsServedWithThePathsOfTheApiAndItsAssets() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.path=/ops/tasks", "amqp-tasks.http.dashboard-path=/ops")
			.run((context) -> {
				MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
				mvc.perform(get("/ops"))
					.andExpect(status().isOk())
					.andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
					.andExpect(header().string("Content-Security-Policy", containsString("script-src 'self'")))
					.andExpect(header().string("Cache-Control", containsString("no-store")))
					.andExpect(content().string(containsString("data-tasks=\"/ops/tasks\"")))
					.andExpect(content().string(containsString("data-stats=\"/@amqp-stats\"")))
					.andExpect(content().string(containsString("data-can-manage=\"true\"")))
					.andExpect(content().string(containsString("src=\"/ops/assets/dashboard.js\"")))
					.andExpect(content().string(not(containsString("{{"))));
				mvc.perform(get("/ops/")).andExpect(status().isFound()).andExpect(header().string("Location", "/ops"));
				mvc.perform(get("/ops/assets/dashboard.js"))
					.andExpect(status().isOk())
					.andExpect(content().contentTypeCompatibleWith("text/javascript"));
				mvc.perform(get("/ops/assets/dashboard.css"))
					.andExpect(status().isOk())
					.andExpect(content().contentTypeCompatibleWith("text/css"));
				mvc.perform(get("/ops/assets/index.html")).andExpect(status().isNotFound());
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserOverviewControllerConfiguration {

		@Bean
		TaskOverviewController userOverviewController(TaskRegistry registry, ObjectProvider<WorkerDirectory> workers,
				ObjectProvider<TaskQueueDepths> depths) {
			return new TaskOverviewController(registry, workers, depths);
		}

	}

	/**
	 * Lists the same workers every time.
	 */
	record FixedWorkerDirectory(List<WorkerStatus> workers) implements WorkerDirectory {

		@Override
		public void report(WorkerStatus worker, Duration ttl) {
		}

		@Override
		public void remove(String workerId) {
		}

		@Override
		public List<WorkerStatus> list() {
			return this.workers;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserTaskControllerConfiguration {

		@Bean
		TaskController userTaskController(TaskRegistry registry, TaskEnqueuer enqueuer, TaskReplayer replayer,
				TaskCatalog catalog) {
			return new TaskController(registry, enqueuer, replayer, catalog, "/@amqp-tasks", false);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserExceptionHandlerConfiguration {

		@Bean
		TaskApiExceptionHandler userTaskApiExceptionHandler() {
			return new TaskApiExceptionHandler();
		}

	}

}
