package dev.amqptasks.e2e;

import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.autoconfigure.AmqpTasksProperties;
import dev.amqptasks.test.LocalServices;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The application the end-to-end tests run: a producer and a worker in one process, on
 * the real RabbitMQ and Redis, with queue and key names of its own.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class EndToEndTestApplication {

	static final String QUEUE = LocalServices.uniqueName("e2e");

	static final String PREFIX = LocalServices.uniqueName("e2e");

	/**
	 * Spring Security's auto-configurations: Spring Security is on the test class path
	 * for the dashboard's tests, while the other end-to-end tests call the API without
	 * signing in.
	 */
	static final String SECURITY_AUTO_CONFIGURATIONS = String.join(",",
			"org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.actuate.web.servlet."
					+ "ManagementWebSecurityAutoConfiguration");

	static void properties(DynamicPropertyRegistry registry) {
		properties(registry, QUEUE, PREFIX);
		registry.add("spring.autoconfigure.exclude", () -> SECURITY_AUTO_CONFIGURATIONS);
		// Without Spring Security the API is served only when turned on.
		registry.add("amqp-tasks.http.enabled", () -> "true");
	}

	/**
	 * The application's properties, with queue and key names of the caller's choosing, so
	 * that a test that needs a context of its own does not share the broker's queues with
	 * another.
	 */
	static void properties(DynamicPropertyRegistry registry, String queue, String prefix) {
		LocalServices.register(registry);
		registry.add("amqp-tasks.queue", () -> queue);
		registry.add("amqp-tasks.exchange", () -> queue);
		registry.add("amqp-tasks.registry.key-prefix", () -> prefix);
		registry.add("amqp-tasks.worker.enabled", () -> "true");
		registry.add("amqp-tasks.worker.max-running-tasks", () -> "8");
		registry.add("amqp-tasks.worker.shutdown-grace-period", () -> "1s");
		registry.add("amqp-tasks.worker.lease-ttl", () -> "2s");
		registry.add("amqp-tasks.beacon.ttl", () -> "500ms");
		registry.add("amqp-tasks.worker.max-message-size", () -> "64KB");
		registry.add("amqp-tasks.http.enqueue-enabled", () -> "true");
		registry.add("amqp-tasks.metrics.queue-poll-interval", () -> "300ms");
		registry.add("spring.rabbitmq.publisher-confirm-type", () -> "correlated");
		registry.add("spring.rabbitmq.publisher-returns", () -> "true");
	}

	@Bean
	RecordingObservationHandler recordingObservationHandler() {
		return new RecordingObservationHandler();
	}

	@Bean
	TestTasks testTasks(ObjectProvider<TestTasks> self) {
		return new TestTasks(self);
	}

	@Bean
	TestResources testResources(AmqpAdmin amqpAdmin, TaskTopology topology, AmqpTasksProperties properties) {
		return new TestResources(amqpAdmin, topology, properties.registry().keyPrefix());
	}

	/**
	 * Deletes what the tests created on the shared broker and Redis once the context
	 * closes (after the worker stopped).
	 */
	record TestResources(AmqpAdmin amqpAdmin, TaskTopology topology, String prefix) implements DisposableBean {

		@Override
		public void destroy() {
			this.amqpAdmin.deleteQueue(this.topology.queue());
			this.amqpAdmin.deleteQueue(this.topology.errorQueue());
			this.topology.delayQueues().forEach(this.amqpAdmin::deleteQueue);
			this.amqpAdmin.deleteExchange(this.topology.exchange());
			// The context's Redis connection factory is a lifecycle bean, stopped before
			// beans are
			// destroyed: delete the keys through a connection of our own.
			LettuceConnectionFactory connections = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(LocalServices.redis().host(), LocalServices.redis().port()));
			connections.afterPropertiesSet();
			connections.start();
			try {
				StringRedisTemplate redis = new StringRedisTemplate(connections);
				try (var keys = redis
					.scan(ScanOptions.scanOptions().match("{" + this.prefix + "}:*").count(1000).build())) {
					keys.forEachRemaining(redis::delete);
				}
			}
			finally {
				connections.destroy();
			}
		}

	}

}
