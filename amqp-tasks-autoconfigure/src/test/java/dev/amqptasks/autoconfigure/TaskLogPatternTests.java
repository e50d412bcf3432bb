package dev.amqptasks.autoconfigure;

import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskLogPattern} and its place among the defaults.
 */
@Tag("fast")
class TaskLogPatternTests {

	@Test
	void aLineAboutATaskShowsItsNameAndIdAfterTheLevel() {
		assertThat(format(Map.of("taskName", "billing.send-invoice", "taskId", "42")))
			.isEqualTo(" INFO [billing.send-invoice 42] hello");
	}

	@Test
	void aLineAboutNoTaskShowsTheLevelOnly() {
		assertThat(format(Map.of())).isEqualTo(" INFO hello");
	}

	@Test
	void theLevelPatternIsADefaultForLogback() {
		StandardEnvironment environment = new StandardEnvironment();

		new AmqpTasksDefaultsEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());

		assertThat(environment.getProperty("logging.pattern.level")).isEqualTo(TaskLogPattern.LOGBACK);
	}

	@Test
	void anApplicationsOwnLevelPatternWins() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("application", Map.of("logging.pattern.level", "%p")));

		new AmqpTasksDefaultsEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());

		assertThat(environment.getProperty("logging.pattern.level")).isEqualTo("%p");
	}

	private static String format(Map<String, String> mdc) {
		LoggerContext loggerContext = new LoggerContext();
		PatternLayout layout = new PatternLayout();
		layout.setContext(loggerContext);
		layout.setPattern(TaskLogPattern.LOGBACK + " %m");
		layout.start();
		LoggingEvent event = new LoggingEvent(TaskLogPatternTests.class.getName(), loggerContext.getLogger("test"),
				Level.INFO, "hello", null, null);
		event.setMDCPropertyMap(mdc);
		return layout.doLayout(event);
	}

}
