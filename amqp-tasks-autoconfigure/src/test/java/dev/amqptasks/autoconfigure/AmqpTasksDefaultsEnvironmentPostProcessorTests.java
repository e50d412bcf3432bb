package dev.amqptasks.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AmqpTasksDefaultsEnvironmentPostProcessor}.
 */
@Tag("fast")
class AmqpTasksDefaultsEnvironmentPostProcessorTests {

	private final AmqpTasksDefaultsEnvironmentPostProcessor postProcessor = new AmqpTasksDefaultsEnvironmentPostProcessor();

	@Test
	void correlatedConfirmsAndReturnsAreAddedAsDefaults() {
		StandardEnvironment environment = new StandardEnvironment();

		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());

		assertThat(environment.getProperty("spring.rabbitmq.publisher-confirm-type")).isEqualTo("correlated");
		assertThat(environment.getProperty("spring.rabbitmq.publisher-returns")).isEqualTo("true");
	}

	@Test
	void noHealthGroupIsConfiguredEvenInAWorker() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("application", Map.of("amqp-tasks.worker.enabled", "true")));

		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());

		// A group member named in properties must exist, or the application does not
		// start.
		assertThat(environment.getProperty("management.endpoint.health.group.liveness.include")).isNull();
		assertThat(environment.getProperty("management.endpoint.health.group.readiness.include")).isNull();
	}

	@Test
	void anExplicitPropertyOverridesTheDefault() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("application", Map.of("spring.rabbitmq.publisher-confirm-type", "none",
					"spring.rabbitmq.publisher-returns", "false")));

		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());

		assertThat(environment.getProperty("spring.rabbitmq.publisher-confirm-type")).isEqualTo("none");
		assertThat(environment.getProperty("spring.rabbitmq.publisher-returns")).isEqualTo("false");
	}

	@Test
	void anApplicationGetsCorrelatedConfirmsUnlessItSaysOtherwise() {
		try (ConfigurableApplicationContext context = run()) {
			assertThat(context.getEnvironment().getProperty("spring.rabbitmq.publisher-confirm-type"))
				.isEqualTo("correlated");
		}
		try (ConfigurableApplicationContext context = run("--spring.rabbitmq.publisher-confirm-type=simple")) {
			assertThat(context.getEnvironment().getProperty("spring.rabbitmq.publisher-confirm-type"))
				.isEqualTo("simple");
		}
	}

	private static ConfigurableApplicationContext run(String... args) {
		SpringApplication application = new SpringApplication(EmptyConfiguration.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setDefaultProperties(Map.of("spring.main.banner-mode", "off"));
		return application.run(args);
	}

	@Configuration(proxyBeanMethods = false)
	static class EmptyConfiguration {

	}

}
