package dev.amqptasks.sample.tasks;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers the {@link SampleTasks} bean.
 * <p>
 * This is the convention for a jar of tasks: an auto-configuration that declares the task
 * beans, listed in
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}.
 * The standalone worker component-scans only its own package, so it finds the tasks of a
 * jar given with {@code -Dloader.path=my-tasks.jar} through that file alone; an
 * application that has the jar on its class path gets the same beans, once (Boot's
 * component scanning skips classes listed there).
 */
@AutoConfiguration
public final class SampleTasksAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SampleTasks sampleTasks() {
		return new SampleTasks();
	}

}
