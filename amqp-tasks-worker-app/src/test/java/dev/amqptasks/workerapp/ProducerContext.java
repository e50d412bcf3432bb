package dev.amqptasks.workerapp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.spi.TaskRegistry;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A producer in the test's JVM: the amqp-tasks auto-configuration with the worker
 * switched off, talking to the test's RabbitMQ and Redis under a test's
 * {@link TaskNames}. Closing it deletes what the test created there: the queues (the
 * delay queues of every step too), the exchange and every Redis key with the test's
 * prefix.
 */
final class ProducerContext implements AutoCloseable {

	private final TaskNames names;

	private final ConfigurableApplicationContext context;

	private ProducerContext(TaskNames names, ConfigurableApplicationContext context) {
		this.names = names;
		this.context = context;
	}

	/**
	 * Starts a producer.
	 * @param names the test's names
	 * @return the started producer
	 */
	static ProducerContext start(TaskNames names) {
		return start(names, names.args());
	}

	/**
	 * Starts a producer with the given connections.
	 * @param names the test's names
	 * @param connectionArgs the command-line arguments of its connections and any further
	 * settings (see {@link TaskNames#args(dev.amqptasks.test.LocalServices.Endpoint)})
	 * @return the started producer
	 */
	static ProducerContext start(TaskNames names, List<String> connectionArgs) {
		List<String> args = new ArrayList<>(connectionArgs);
		// The worker app's application.properties is on this class path too: a producer
		// is not
		// a worker, so it reads no application.properties at all.
		args.add("--spring.config.name=amqp-tasks-it-producer");
		args.add("--amqp-tasks.worker.enabled=false");
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ProducerConfig.class)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off")
			.run(args.toArray(String[]::new));
		return new ProducerContext(names, context);
	}

	TaskClient client() {
		return this.context.getBean(TaskClient.class);
	}

	TaskRegistry registry() {
		return this.context.getBean(TaskRegistry.class);
	}

	TaskTopology topology() {
		return this.context.getBean(TaskTopology.class);
	}

	RabbitTemplate rabbit() {
		return this.context.getBean(RabbitTemplate.class);
	}

	<T> T getBean(Class<T> type) {
		return this.context.getBean(type);
	}

	/**
	 * Reads a task from the registry.
	 * @param id the task id
	 * @return the task
	 */
	TaskInfo task(String id) {
		return registry().find(id).orElseThrow(() -> new AssertionError("The registry does not know task " + id));
	}

	/**
	 * Reads tasks from the registry, in the given order.
	 * @param ids the task ids
	 * @return the tasks by id
	 */
	Map<String, TaskInfo> tasks(List<String> ids) {
		Map<String, TaskInfo> tasks = new LinkedHashMap<>();
		ids.forEach((id) -> tasks.put(id, task(id)));
		return tasks;
	}

	/**
	 * The messages ready in a queue (unacknowledged ones are not counted).
	 * @param queue the queue name
	 * @return the count, or -1 if the queue does not exist
	 */
	int readyMessages(String queue) {
		Properties properties = this.context.getBean(AmqpAdmin.class).getQueueProperties(queue);
		return (properties != null) ? ((Number) properties.get(RabbitAdmin.QUEUE_MESSAGE_COUNT)).intValue() : -1;
	}

	/**
	 * The consumers of a queue.
	 * @param queue the queue name
	 * @return the count, or -1 if the queue does not exist
	 */
	int consumers(String queue) {
		Properties properties = this.context.getBean(AmqpAdmin.class).getQueueProperties(queue);
		return (properties != null) ? ((Number) properties.get(RabbitAdmin.QUEUE_CONSUMER_COUNT)).intValue() : -1;
	}

	@Override
	public void close() {
		try {
			deleteBrokerObjects();
			deleteRedisKeys();
		}
		finally {
			this.context.close();
		}
	}

	private void deleteBrokerObjects() {
		AmqpAdmin admin = this.context.getBean(AmqpAdmin.class);
		TaskTopology topology = topology();
		List<String> queues = new ArrayList<>(List.of(topology.queue(), topology.errorQueue()));
		queues.addAll(topology.delayQueues());
		// A worker's beacon queues are exclusive: they went away with its connection.
		queues.forEach(admin::deleteQueue);
		admin.deleteExchange(this.names.exchange());
	}

	private void deleteRedisKeys() {
		StringRedisTemplate redis = this.context.getBean(StringRedisTemplate.class);
		List<String> keys = new ArrayList<>();
		// The prefix is unique to this run, so any key containing it is this test's,
		// whatever the
		// registry's exact layout ({prefix}:... by contract).
		ScanOptions options = ScanOptions.scanOptions().match("*" + this.names.keyPrefix() + "*").count(1000).build();
		try (Cursor<String> cursor = redis.scan(options)) {
			cursor.forEachRemaining(keys::add);
		}
		if (!keys.isEmpty()) {
			redis.delete(keys);
		}
	}

	/**
	 * A producer: the amqp-tasks auto-configuration with the worker switched off.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ProducerConfig {

	}

}
