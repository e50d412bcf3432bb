package dev.amqptasks.autoconfigure;

import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.web.TaskController;
import dev.amqptasks.web.TaskDashboardController;
import dev.amqptasks.web.TaskOverviewController;
import dev.amqptasks.web.UnsecuredTaskApiWarning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Tests for where the task API is served without Spring Security, and how it refuses
 * requests that may come from another site. The registry is in memory and nothing is
 * published.
 */
@ExtendWith(OutputCaptureExtension.class)
class TaskApiExposureTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, JacksonAutoConfiguration.class,
				TaskRegistryAutoConfiguration.class, AmqpTasksAutoConfiguration.class, TaskWebAutoConfiguration.class,
				HttpMessageConvertersAutoConfiguration.class, WebMvcAutoConfiguration.class,
				DispatcherServletAutoConfiguration.class, AmqpTasksSecurityAutoConfiguration.class))
		.withClassLoader(new FilteredClassLoader(SecurityFilterChain.class, HttpSecurity.class))
		.withPropertyValues("spring.rabbitmq.publisher-confirm-type=correlated",
				"spring.rabbitmq.host=" + LocalServices.rabbit().host(),
				"spring.rabbitmq.port=" + LocalServices.rabbit().port(), "amqp-tasks.registry.type=memory");

	@Test
	void nothingIsServedByDefaultWithoutSpringSecurity(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(TaskController.class)
				.doesNotHaveBean(TaskOverviewController.class)
				.doesNotHaveBean(TaskDashboardController.class)
				.doesNotHaveBean(UnsecuredTaskApiWarning.class);
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
			mvc.perform(get("/@amqp-tasks")).andExpect(status().isNotFound());
			mvc.perform(post("/@amqp-tasks/retry")).andExpect(status().isNotFound());
			mvc.perform(get("/@amqp-dashboard")).andExpect(status().isNotFound());
		});
		assertThat(output).doesNotContain("WITHOUT authentication");
	}

	@Test
	void turnedOnExplicitlyTheApiIsServedWithAWarningThatItIsUnauthenticated(CapturedOutput output) {
		this.contextRunner.withPropertyValues("amqp-tasks.http.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(TaskController.class)
				.hasSingleBean(TaskDashboardController.class)
				.hasSingleBean(UnsecuredTaskApiWarning.class);
			MockMvcBuilders.webAppContextSetup(context).build().perform(get("/@amqp-tasks")).andExpect(status().isOk());
		});
		assertThat(output).contains("WARN")
			.contains("The amqp-tasks HTTP API (/@amqp-tasks, /@amqp-workers, /@amqp-stats, /@amqp-dashboard) is "
					+ "served WITHOUT authentication");
	}

	@Test
	void anInvalidValueFailsStartupNamingTheProperty() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.enabled=sometimes")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("amqp-tasks.http.enabled must be true or false, was 'sometimes'"));
	}

	@Test
	void aPostWithoutAJsonContentTypeOrXRequestedWithIsRefused() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.enabled=true").run((context) -> {
			TaskRegistry registry = context.getBean(TaskRegistry.class);
			registry.create(new NewTask("csrf-1", "sample.add", "[]", "{}", 0));
			registry.requestCancel("csrf-1");
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

			mvc.perform(post("/@amqp-tasks/csrf-1/retry"))
				.andExpect(status().isForbidden())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.title").value("Request refused"))
				.andExpect(jsonPath("$.detail").value(containsString("Content-Type: application/json")));
			mvc.perform(post("/@amqp-tasks/csrf-1/retry").contentType(MediaType.APPLICATION_FORM_URLENCODED))
				.andExpect(status().isForbidden());
			mvc.perform(post("/@amqp-tasks/csrf-1/retry").contentType(MediaType.TEXT_PLAIN).content("{}"))
				.andExpect(status().isForbidden());
			mvc.perform(post("/@amqp-tasks/retry")).andExpect(status().isForbidden());
			assertThat(registry.find("csrf-1")).hasValueSatisfying((task) -> assertThat(task.replays()).isZero());
		});
	}

	@Test
	void aPostWithAJsonContentTypeOrXRequestedWithIsAccepted() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.enabled=true").run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
			mvc.perform(post("/@amqp-tasks/unknown/retry").contentType(MediaType.APPLICATION_JSON))
				.andExpect(status().isNotFound());
			mvc.perform(post("/@amqp-tasks/unknown/retry").header("X-Requested-With", "XMLHttpRequest"))
				.andExpect(status().isNotFound());
			mvc.perform(post("/@amqp-tasks/retry").contentType("application/problem+json"))
				.andExpect(status().isAccepted());
		});
	}

	@Test
	void aChangeTheBrowserMarksAsComingFromAnotherSiteIsRefused() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.enabled=true").run((context) -> {
			TaskRegistry registry = context.getBean(TaskRegistry.class);
			registry.create(new NewTask("csrf-2", "sample.add", "[]", "{}", 0));
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();

			mvc.perform(delete("/@amqp-tasks/csrf-2").header("Sec-Fetch-Site", "cross-site"))
				.andExpect(status().isForbidden())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
			mvc.perform(post("/@amqp-tasks/retry").contentType(MediaType.APPLICATION_JSON)
				.header("Sec-Fetch-Site", "same-site")).andExpect(status().isForbidden());
			assertThat(registry.find("csrf-2"))
				.hasValueSatisfying((task) -> assertThat(task.status().value()).isEqualTo("scheduled"));
			mvc.perform(get("/@amqp-tasks/csrf-2").header("Sec-Fetch-Site", "cross-site")).andExpect(status().isOk());
			mvc.perform(delete("/@amqp-tasks/csrf-2").header("Sec-Fetch-Site", "same-origin"))
				.andExpect(status().isAccepted());
		});
	}

}
