package dev.amqptasks.e2e;

import dev.amqptasks.test.LocalServices;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * End-to-end tests of the secured API and the dashboard: {@link EndToEndTestApplication}
 * on a real port, with Spring Security and the application's own users, and queue and key
 * names of its own. Every subclass shares the one context.
 */
@SpringBootTest(classes = { EndToEndTestApplication.class, SecuredEndToEndTests.Users.class },
		webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class SecuredEndToEndTests {

	static final String QUEUE = LocalServices.uniqueName("secured");

	static final String PREFIX = LocalServices.uniqueName("secured");

	static final String DASHBOARD = "/@amqp-dashboard";

	static final String TASKS = "/@amqp-tasks";

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void securedProperties(DynamicPropertyRegistry registry) {
		EndToEndTestApplication.properties(registry, QUEUE, PREFIX);
	}

	String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	/**
	 * The application's users: one per mix of the amqp-tasks authorities. Passwords are
	 * stored as they are, so that no request pays for hashing.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class Users {

		@Bean
		InMemoryUserDetailsManager users() {
			return new InMemoryUserDetailsManager(user("reader", "AMQP_TASKS_READ"),
					user("manager", "AMQP_TASKS_READ", "AMQP_TASKS_MANAGE"),
					user("debugger", "AMQP_TASKS_READ", "AMQP_TASKS_DEBUG"),
					user("operator", "AMQP_TASKS_READ", "AMQP_TASKS_MANAGE", "AMQP_TASKS_DEBUG"), user("nobody"));
		}

		private static org.springframework.security.core.userdetails.UserDetails user(String name,
				String... authorities) {
			return User.withUsername(name).password("{noop}" + name + "-password").authorities(authorities).build();
		}

	}

}
