package dev.amqptasks.benchmark;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.amqptasks.TaskClient;
import dev.amqptasks.spi.TaskRegistry;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A producer as users have one: a Spring Boot application with the starter, its
 * connections and properties. Each workload run gets its own, pointed at the run's queue
 * and key prefix.
 */
final class Producer implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private Producer(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/**
	 * Starts a producer application.
	 * @param settings the benchmark settings
	 * @param names the run's names
	 * @param web whether to serve HTTP (the task API) on a free port
	 */
	static Producer start(Settings settings, Names names, boolean web) {
		Map<String, Object> properties = new LinkedHashMap<>(names.properties(settings));
		properties.put("spring.application.name", "amqp-tasks-benchmark");
		properties.put("spring.main.banner-mode", "off");
		properties.put("spring.main.log-startup-info", "false");
		properties.put("spring.jmx.enabled", "false");
		properties.put("server.port", "0");
		// L1 lists over the task API, which an application without Spring Security turns
		// on.
		properties.put("amqp-tasks.http.enabled", String.valueOf(web));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ProducerApplication.class)
			.web(web ? WebApplicationType.SERVLET : WebApplicationType.NONE)
			.registerShutdownHook(false)
			.properties(properties)
			.run();
		return new Producer(context);
	}

	TaskClient client() {
		return this.context.getBean(TaskClient.class);
	}

	TaskRegistry registry() {
		return this.context.getBean(TaskRegistry.class);
	}

	int port() {
		return this.context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	@Override
	public void close() {
		this.context.close();
	}

	/**
	 * The producer application: auto-configuration only, so that it holds exactly what
	 * the starter (and, for L1, Spring MVC) brings; the benchmark tasks come in through
	 * their auto-configuration, as in any application that has the tasks jar.
	 */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ProducerApplication {

	}

}
