package dev.amqptasks.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;

import com.redis.testcontainers.RedisContainer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.rabbitmq.RabbitMQContainer;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The RabbitMQ and Redis that tests talk to: the machine's own services when they answer
 * (overridable with AMQP_TASKS_TEST_RABBIT / AMQP_TASKS_TEST_REDIS as host:port),
 * otherwise containers where a Docker engine exists. Never a mock.
 */
public final class LocalServices {

	private static final Endpoint RABBIT = resolve("AMQP_TASKS_TEST_RABBIT", "127.0.0.1:5672", Service.RABBIT);

	private static final Endpoint REDIS = resolve("AMQP_TASKS_TEST_REDIS", "127.0.0.1:6379", Service.REDIS);

	private LocalServices() {
	}

	public static Endpoint rabbit() {
		return RABBIT;
	}

	public static Endpoint redis() {
		return REDIS;
	}

	/**
	 * A name no other test or run uses, for queues and key prefixes.
	 * @param purpose what the name is for, kept readable in the broker's listings
	 * @return the unique name
	 */
	public static String uniqueName(String purpose) {
		return "test-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/**
	 * Points Spring Boot's RabbitMQ and Redis properties at the test services.
	 * @param registry the test's dynamic properties
	 */
	public static void register(DynamicPropertyRegistry registry) {
		registry.add("spring.rabbitmq.host", RABBIT::host);
		registry.add("spring.rabbitmq.port", RABBIT::port);
		registry.add("spring.data.redis.host", REDIS::host);
		registry.add("spring.data.redis.port", REDIS::port);
	}

	private static Endpoint resolve(String variable, String fallback, Service service) {
		String configured = System.getenv(variable);
		Endpoint local = Endpoint.parse((configured != null) ? configured : fallback);
		if (local.answers()) {
			return local;
		}
		if (configured == null && DockerClientFactory.instance().isDockerAvailable()) {
			return service.startContainer();
		}
		throw new IllegalStateException(service + " does not answer at " + local
				+ " and no Docker engine is available: start it with bin/services");
	}

	public record Endpoint(String host, int port) {

		static Endpoint parse(String hostAndPort) {
			int colon = hostAndPort.lastIndexOf(':');
			return new Endpoint(hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
		}

		boolean answers() {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(this.host, this.port), 1000);
				return true;
			}
			catch (IOException ex) {
				return false;
			}
		}

		@Override
		public String toString() {
			return this.host + ":" + this.port;
		}

	}

	private enum Service {

		RABBIT {
			@Override
			@SuppressWarnings("resource")
			Endpoint startContainer() {
				RabbitMQContainer container = new RabbitMQContainer("rabbitmq:3.13-management");
				container.start();
				return new Endpoint(container.getHost(), container.getAmqpPort());
			}
		},

		REDIS {
			@Override
			@SuppressWarnings("resource")
			Endpoint startContainer() {
				RedisContainer container = new RedisContainer("redis:7");
				container.start();
				return new Endpoint(container.getHost(), container.getRedisPort());
			}
		};

		abstract Endpoint startContainer();

	}

}
