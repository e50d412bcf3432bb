package dev.amqptasks.autoconfigure;

import dev.amqptasks.test.LocalServices;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * What the auto-configuration tests share: a context runner with Boot's and amqp-tasks'
 * auto-configurations, pointed at the test services, and the clean-up of a test's queues.
 */
final class AmqpTasksContextRunners {

	private AmqpTasksContextRunners() {
	}

	/**
	 * A runner with the RabbitMQ, Redis, Jackson and amqp-tasks auto-configurations on
	 * the test services, with publisher confirms on (the starter's environment
	 * post-processor does not run in a context runner).
	 * @return the runner
	 */
	static ApplicationContextRunner onLocalServices() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class,
				DataRedisAutoConfiguration.class, JacksonAutoConfiguration.class, TaskRegistryAutoConfiguration.class,
				AmqpTasksAutoConfiguration.class, TaskWorkerAutoConfiguration.class, TaskWebAutoConfiguration.class))
			.withPropertyValues("spring.rabbitmq.publisher-confirm-type=correlated",
					"spring.rabbitmq.host=" + LocalServices.rabbit().host(),
					"spring.rabbitmq.port=" + LocalServices.rabbit().port(),
					"spring.data.redis.host=" + LocalServices.redis().host(),
					"spring.data.redis.port=" + LocalServices.redis().port());
	}

	/**
	 * Deletes the main and error queues named after {@code queue}, and the exchange of
	 * the same name.
	 * @param queue the test's queue (and exchange) name
	 */
	static void deleteQueues(String queue) {
		CachingConnectionFactory connectionFactory = new CachingConnectionFactory(LocalServices.rabbit().host(),
				LocalServices.rabbit().port());
		try {
			RabbitAdmin admin = new RabbitAdmin(connectionFactory);
			admin.deleteQueue(queue);
			admin.deleteQueue(queue + "-error");
			admin.deleteExchange(queue);
		}
		finally {
			connectionFactory.destroy();
		}
	}

}
