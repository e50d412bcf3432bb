package dev.amqptasks.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Boots a real {@code SpringApplication} with an embedded worker and the actuator, with
 * the health probes on and off: the application starts either way, and the
 * {@code amqpTasks} component is in the readiness group (never in liveness) where that
 * group exists. The probe groups show no components over HTTP, so their members are read
 * from the groups bean.
 */
class HealthProbesApplicationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final String queue = LocalServices.uniqueName("probes");

	private final HttpClient http = HttpClient.newHttpClient();

	@AfterEach
	void deleteQueues() {
		CachingConnectionFactory connectionFactory = new CachingConnectionFactory(LocalServices.rabbit().host(),
				LocalServices.rabbit().port());
		try {
			RabbitAdmin admin = new RabbitAdmin(connectionFactory);
			admin.deleteQueue(this.queue);
			admin.deleteQueue(this.queue + "-delay");
			admin.deleteQueue(this.queue + "-error");
			admin.deleteExchange(this.queue);
		}
		finally {
			connectionFactory.destroy();
		}
	}

	@Test
	void withProbesTheWorkersComponentIsInTheReadinessGroupAndNotInLiveness() throws Exception {
		try (ConfigurableApplicationContext context = run("management.endpoint.health.probes.enabled=true")) {
			HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
			assertThat(groups.get("readiness").isMember("amqpTasks")).isTrue();
			assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
			assertThat(groups.get("liveness").isMember("amqpTasks")).isFalse();
			assertThat(groups.get("liveness").isMember("livenessState")).isTrue();
			// The probes answer (they show no components), and the worker is UP in the
			// health.
			assertThat(status(context, "/actuator/health/readiness")).isEqualTo(200);
			assertThat(status(context, "/actuator/health/liveness")).isEqualTo(200);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> "UP".equals(get(context, "/actuator/health").path("components")
					.path("amqpTasks")
					.path("status")
					.asString(null)));
		}
	}

	@Test
	void withoutProbesTheApplicationStartsAndReportsTheWorkerInItsHealth() throws Exception {
		try (ConfigurableApplicationContext context = run("management.endpoint.health.probes.enabled=false")) {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> get(context, "/actuator/health").path("components").has("amqpTasks"));
			assertThat(status(context, "/actuator/health/readiness")).isEqualTo(404);
			assertThat(status(context, "/actuator/health/liveness")).isEqualTo(404);
		}
	}

	@Test
	void aReadinessGroupTheApplicationDefinesItselfIsLeftAsItIs() throws Exception {
		try (ConfigurableApplicationContext context = run("management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState")) {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> get(context, "/actuator/health").path("components").has("amqpTasks"));
			assertThat(context.getBean(HealthEndpointGroups.class).get("readiness").isMember("amqpTasks")).isFalse();
		}
	}

	private ConfigurableApplicationContext run(String... properties) {
		return new SpringApplicationBuilder(ProbesApplication.class)
			.properties("spring.rabbitmq.host=" + LocalServices.rabbit().host(),
					"spring.rabbitmq.port=" + LocalServices.rabbit().port(), "server.port=0",
					"spring.autoconfigure.exclude=" + EndToEndTestApplication.SECURITY_AUTO_CONFIGURATIONS,
					"amqp-tasks.queue=" + this.queue, "amqp-tasks.exchange=" + this.queue,
					"amqp-tasks.registry.type=memory", "amqp-tasks.worker.enabled=true", "amqp-tasks.beacon.ttl=500ms",
					"management.endpoint.health.show-details=always",
					"management.endpoint.health.show-components=always", "management.health.redis.enabled=false",
					"spring.main.banner-mode=off")
			.properties(properties)
			.run();
	}

	private JsonNode get(ConfigurableApplicationContext context, String path) throws IOException, InterruptedException {
		return JSON.readTree(send(context, path).body());
	}

	private int status(ConfigurableApplicationContext context, String path) throws IOException, InterruptedException {
		return send(context, path).statusCode();
	}

	private HttpResponse<String> send(ConfigurableApplicationContext context, String path)
			throws IOException, InterruptedException {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ProbesApplication {

	}

}
