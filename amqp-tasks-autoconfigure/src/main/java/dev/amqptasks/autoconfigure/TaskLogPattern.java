package dev.amqptasks.autoconfigure;

import org.springframework.util.ClassUtils;

/**
 * The default {@code logging.pattern.level}: the level, then {@code [<name> <id>]} of the
 * task a log line is about, from the MDC keys {@code taskName} and {@code taskId} that a
 * worker sets while it handles a task's message; lines about no task show the level only.
 * {@code logging.pattern.correlation} is left alone: tracing uses it for trace and span
 * ids.
 */
final class TaskLogPattern {

	/** The property the pattern is a default of. */
	static final String PROPERTY = "logging.pattern.level";

	/** For Logback: the brackets are dropped when neither key is set. */
	static final String LOGBACK = "%5p%replace( [%X{taskName} %X{taskId}]){'^ \\[ \\]$', ''}";

	/** For Log4j 2: the brackets are printed only when both keys are set. */
	static final String LOG4J2 = "%5p%notEmpty{ [%X{taskName} %X{taskId}]}";

	private static final String LOGGING_SYSTEM_PROPERTY = "org.springframework.boot.logging.LoggingSystem";

	private TaskLogPattern() {
	}

	/**
	 * The pattern for the logging system Spring Boot will choose: the one named by its
	 * system property, otherwise Logback before Log4j 2, the order in which Spring Boot
	 * looks for them.
	 * @param classLoader the application's class loader
	 * @return the pattern, or {@code null} for another logging system
	 */
	static String forLoggingSystem(ClassLoader classLoader) {
		String chosen = System.getProperty(LOGGING_SYSTEM_PROPERTY);
		if (chosen != null) {
			if (chosen.contains("Logback")) {
				return LOGBACK;
			}
			return chosen.contains("Log4J2") ? LOG4J2 : null;
		}
		if (ClassUtils.isPresent("ch.qos.logback.classic.LoggerContext", classLoader)) {
			return LOGBACK;
		}
		if (ClassUtils.isPresent("org.apache.logging.log4j.core.impl.Log4jContextFactory", classLoader)) {
			return LOG4J2;
		}
		return null;
	}

}
