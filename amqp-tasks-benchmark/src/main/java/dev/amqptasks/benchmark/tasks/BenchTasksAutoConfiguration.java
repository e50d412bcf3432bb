package dev.amqptasks.benchmark.tasks;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers the {@link BenchTasks} bean, the convention of a task jar: listed in
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}.
 */
@AutoConfiguration
public final class BenchTasksAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	BenchTasks benchTasks() {
		return new BenchTasks();
	}

}
