package dev.amqptasks.workerapp;

import java.util.List;

import dev.amqptasks.test.LocalServices;
import dev.amqptasks.test.LocalServices.Endpoint;

/**
 * The queue, exchange and Redis key prefix of one test class: names no other test or run
 * uses, so that tests sharing the machine's RabbitMQ and Redis never see each other's
 * tasks.
 *
 * @param queue the main queue ({@code amqp-tasks.queue})
 * @param exchange the exchange ({@code amqp-tasks.exchange})
 * @param keyPrefix the registry's key prefix ({@code amqp-tasks.registry.key-prefix})
 */
record TaskNames(String queue, String exchange, String keyPrefix) {

	/**
	 * Names for one test class.
	 * @param purpose what the names are for, kept readable in the broker's listings
	 * @return the names
	 */
	static TaskNames unique(String purpose) {
		String queue = LocalServices.uniqueName(purpose);
		return new TaskNames(queue, queue + "-exchange", queue);
	}

	/**
	 * Command-line arguments that point an application at these names and the test
	 * services.
	 * @return the arguments
	 */
	List<String> args() {
		return args(LocalServices.redis());
	}

	/**
	 * Command-line arguments that point an application at these names, the test RabbitMQ
	 * and the given Redis (a proxy in front of the test Redis, for example).
	 * @param redis where the application finds Redis
	 * @return the arguments
	 */
	List<String> args(Endpoint redis) {
		return args(LocalServices.rabbit(), redis);
	}

	/**
	 * Command-line arguments that point an application at these names and the given
	 * RabbitMQ and Redis (proxies in front of the test services, for example).
	 * @param rabbit where the application finds RabbitMQ
	 * @param redis where the application finds Redis
	 * @return the arguments
	 */
	List<String> args(Endpoint rabbit, Endpoint redis) {
		return List.of("--amqp-tasks.queue=" + this.queue, "--amqp-tasks.exchange=" + this.exchange,
				"--amqp-tasks.registry.key-prefix=" + this.keyPrefix, "--spring.rabbitmq.host=" + rabbit.host(),
				"--spring.rabbitmq.port=" + rabbit.port(), "--spring.data.redis.host=" + redis.host(),
				"--spring.data.redis.port=" + redis.port());
	}

}
