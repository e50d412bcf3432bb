package dev.amqptasks.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Adds the defaults amqp-tasks needs from other parts of Spring Boot. They are added
 * last, so an application's own setting always wins.
 * <ul>
 * <li>Correlated publisher confirms and returns ({@code spring.rabbitmq.*}): an enqueue
 * returns only once the broker has the message (amqp-tasks refuses to start if an
 * application turned confirms off).</li>
 * <li>Log lines about a task show its name and id after the level
 * ({@code logging.pattern.level}, see {@link TaskLogPattern}).</li>
 * </ul>
 */
final class AmqpTasksDefaultsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Map<String, Object> defaults = new HashMap<>();
		defaults.put("spring.rabbitmq.publisher-confirm-type", "correlated");
		defaults.put("spring.rabbitmq.publisher-returns", "true");
		String logPattern = TaskLogPattern.forLoggingSystem(application.getClassLoader());
		if (logPattern != null) {
			defaults.put(TaskLogPattern.PROPERTY, logPattern);
		}
		environment.getPropertySources().addLast(new MapPropertySource("amqpTasksDefaults", defaults));
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
