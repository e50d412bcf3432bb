package dev.amqptasks.benchmark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The names one workload run uses, unique to it: the main queue (and its derived
 * {@code -delay} and {@code -error} queues), the exchange and the registry's key prefix.
 *
 * @param queue the main queue, also the exchange name and the key prefix
 */
record Names(String queue) {

	String exchange() {
		return this.queue;
	}

	String keyPrefix() {
		return this.queue;
	}

	List<String> queues() {
		return List.of(this.queue, this.queue + "-delay", this.queue + "-error");
	}

	/**
	 * The properties that point the task system at these names and at the local services.
	 */
	Map<String, Object> properties(Settings settings) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("amqp-tasks.queue", queue());
		properties.put("amqp-tasks.exchange", exchange());
		properties.put("amqp-tasks.registry.key-prefix", keyPrefix());
		properties.put("spring.rabbitmq.host", settings.rabbitHost());
		properties.put("spring.rabbitmq.port", settings.rabbitPort());
		properties.put("spring.data.redis.host", settings.redisHost());
		properties.put("spring.data.redis.port", settings.redisPort());
		return properties;
	}

	List<String> springArguments(Settings settings) {
		return properties(settings).entrySet().stream().map((e) -> "--" + e.getKey() + "=" + e.getValue()).toList();
	}

}
