package dev.amqptasks.autoconfigure;

import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskApiPermissions;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.test.LocalServices;
import dev.amqptasks.web.TaskController;
import dev.amqptasks.web.TaskDashboardController;
import dev.amqptasks.web.TaskDashboardLoginController;
import dev.amqptasks.web.TaskOverviewController;
import dev.amqptasks.web.UnsecuredTaskApiWarning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Tests for {@link AmqpTasksSecurityAutoConfiguration}. The registry is in memory and
 * nothing is published, so the broker is never contacted.
 */
class AmqpTasksSecurityAutoConfigurationTests {

	private static final String CHAIN = "amqpTasksSecurityFilterChain";

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, DataRedisAutoConfiguration.class,
				JacksonAutoConfiguration.class, TaskRegistryAutoConfiguration.class, AmqpTasksAutoConfiguration.class,
				TaskWebAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
				WebMvcAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
				SecurityAutoConfiguration.class, UserDetailsServiceAutoConfiguration.class,
				ServletWebSecurityAutoConfiguration.class, AmqpTasksSecurityAutoConfiguration.class))
		.withPropertyValues("spring.rabbitmq.publisher-confirm-type=correlated",
				"spring.rabbitmq.host=" + LocalServices.rabbit().host(),
				"spring.rabbitmq.port=" + LocalServices.rabbit().port(), "amqp-tasks.registry.type=memory")
		.withBean(InMemoryUserDetailsManager.class, InMemoryUserDetailsManager::new);

	@Test
	void theApiIsSecuredBesideSpringBootsDefaultChain() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasBean(CHAIN)
				.hasBean("defaultSecurityFilterChain")
				.hasSingleBean(TaskDashboardLoginController.class);
			assertThat(context).getBean(TaskApiPermissions.class).isInstanceOf(AuthorityTaskApiPermissions.class);
		});
	}

	@Test
	void nothingIsSecuredWithoutSpringSecurity() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(SecurityFilterChain.class, HttpSecurity.class))
			.withPropertyValues("amqp-tasks.http.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(TaskController.class)
				.doesNotHaveBean(CHAIN)
				.doesNotHaveBean(TaskApiPermissions.class)
				.doesNotHaveBean(TaskDashboardLoginController.class));
	}

	@Test
	void nothingIsSecuredOrHiddenWhenWebSecurityIsNotEnabled() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, JacksonAutoConfiguration.class,
					TaskRegistryAutoConfiguration.class, AmqpTasksAutoConfiguration.class,
					TaskWebAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
					WebMvcAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
					AmqpTasksSecurityAutoConfiguration.class))
			.withPropertyValues("spring.rabbitmq.publisher-confirm-type=correlated", "amqp-tasks.registry.type=memory",
					"amqp-tasks.http.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(TaskController.class)
				.doesNotHaveBean(CHAIN)
				.doesNotHaveBean(TaskApiPermissions.class));
	}

	@Test
	void theApiIsServedByDefaultWhereSpringSecurityProtectsIt() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(TaskController.class)
			.hasSingleBean(TaskDashboardController.class)
			.doesNotHaveBean(UnsecuredTaskApiWarning.class));
	}

	@Test
	void theApiIsNotServedByDefaultWithoutSpringSecurity() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(SecurityFilterChain.class, HttpSecurity.class))
			.run((context) -> assertThat(context).doesNotHaveBean(TaskController.class)
				.doesNotHaveBean(TaskDashboardController.class)
				.doesNotHaveBean(TaskOverviewController.class));
	}

	@Test
	void nothingIsSecuredWhenTheApplicationSecuresThePathsItself() {
		this.contextRunner.withPropertyValues("amqp-tasks.security.enabled=false")
			.run((context) -> assertThat(context).hasBean("defaultSecurityFilterChain")
				.doesNotHaveBean(CHAIN)
				.doesNotHaveBean(TaskApiPermissions.class)
				.doesNotHaveBean(TaskDashboardLoginController.class));
	}

	@Test
	void nothingIsSecuredWhenTheHttpApiIsDisabled() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CHAIN).doesNotHaveBean(TaskApiPermissions.class));
	}

	@Test
	void theSignInPageIsNotConfiguredWhenTheDashboardIsDisabled() {
		this.contextRunner.withPropertyValues("amqp-tasks.http.dashboard-enabled=false")
			.run((context) -> assertThat(context).hasBean(CHAIN).doesNotHaveBean(TaskDashboardLoginController.class));
	}

	@Test
	void aUserDefinedChainOfTheSameNameBacksOffTheDefaultOne() {
		this.contextRunner.withUserConfiguration(UserChainConfiguration.class)
			.run((context) -> assertThat(context.getBean(CHAIN)).isSameAs(UserChainConfiguration.chain));
	}

	@Test
	void userDefinedPermissionsBackOffTheDefaultOnes() {
		this.contextRunner.withBean(TaskApiPermissions.class, TaskApiPermissions::unrestricted)
			.run((context) -> assertThat(context).getBean(TaskApiPermissions.class)
				.isSameAs(TaskApiPermissions.unrestricted()));
	}

	@ParameterizedTest
	@ValueSource(strings = { "/@amqp-tasks", "/@amqp-tasks/some-id", "/@amqp-tasks/some-id/retry", "/@amqp-workers",
			"/@amqp-stats", "/@amqp-dashboard", "/@amqp-dashboard/login", "/@amqp-dashboard/assets/dashboard.js" })
	void theChainMatchesTheApiAndDashboardPaths(String path) {
		this.contextRunner.run((context) -> assertThat(chain(context).matches(request(path))).isTrue());
	}

	@ParameterizedTest
	@ValueSource(strings = { "/", "/login", "/logout", "/actuator/health", "/@amqp-tasksX", "/api/@amqp-tasks",
			"/@amqp-workers/x" })
	void theChainLeavesTheApplicationsOtherPathsAlone(String path) {
		this.contextRunner.run((context) -> assertThat(chain(context).matches(request(path))).isFalse());
	}

	@Test
	void theChainFollowsTheConfiguredPaths() {
		this.contextRunner
			.withPropertyValues("amqp-tasks.http.path=/ops/tasks", "amqp-tasks.http.workers-path=/ops/workers",
					"amqp-tasks.http.stats-path=/ops/stats", "amqp-tasks.http.dashboard-path=/ops/dashboard")
			.run((context) -> {
				SecurityFilterChain chain = chain(context);
				assertThat(chain.matches(request("/ops/tasks/x"))).isTrue();
				assertThat(chain.matches(request("/ops/workers"))).isTrue();
				assertThat(chain.matches(request("/ops/stats"))).isTrue();
				assertThat(chain.matches(request("/ops/dashboard"))).isTrue();
				assertThat(chain.matches(request("/@amqp-tasks"))).isFalse();
			});
	}

	@Test
	void theAuthorityNamesAreConfigurable() {
		this.contextRunner
			.withPropertyValues("amqp-tasks.security.read-authority=ROLE_OPS",
					"amqp-tasks.security.manage-authority=ROLE_ADMIN")
			.run((context) -> {
				context.getBean(TaskRegistry.class).create(new NewTask("configurable", "sample.add", "[]", "{}", 0));
				MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();

				mvc.perform(get("/@amqp-stats").with(user("ops").authorities(() -> "ROLE_OPS")))
					.andExpect(status().isOk());
				mvc.perform(get("/@amqp-stats").with(user("reader").authorities(() -> "AMQP_TASKS_READ")))
					.andExpect(status().isForbidden());
				mvc.perform(delete("/@amqp-tasks/configurable").with(csrf())
					.with(user("ops").authorities(() -> "ROLE_OPS")))
					.andExpect(status().isForbidden())
					.andExpect(jsonPath("$.detail").value("Changing tasks needs the authority ROLE_ADMIN"));
				mvc.perform(delete("/@amqp-tasks/configurable").with(csrf())
					.with(user("admin").authorities(() -> "ROLE_ADMIN")))
					.andExpect(status().isAccepted())
					.andExpect(jsonPath("$.status").value("canceled"));
			});
	}

	@Test
	void theManageAndDebugAuthoritiesImplyReading() {
		this.contextRunner.run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();

			mvc.perform(get("/@amqp-tasks").with(user("manager").authorities(() -> "AMQP_TASKS_MANAGE")))
				.andExpect(status().isOk());
			mvc.perform(get("/@amqp-tasks").with(user("debugger").authorities(() -> "AMQP_TASKS_DEBUG")))
				.andExpect(status().isOk());
			mvc.perform(get("/@amqp-tasks").with(user("someone").authorities(() -> "SOMETHING_ELSE")))
				.andExpect(status().isForbidden());
		});
	}

	private static SecurityFilterChain chain(AssertableWebApplicationContext context) {
		return context.getBean(CHAIN, SecurityFilterChain.class);
	}

	private static MockHttpServletRequest request(String path) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
		request.setServletPath(path);
		return request;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserChainConfiguration {

		static SecurityFilterChain chain;

		@Bean
		SecurityFilterChain amqpTasksSecurityFilterChain(HttpSecurity http) throws Exception {
			chain = http.securityMatcher("/@amqp-tasks/**").build();
			return chain;
		}

	}

}
