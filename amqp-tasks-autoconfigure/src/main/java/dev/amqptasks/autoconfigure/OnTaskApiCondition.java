package dev.amqptasks.autoconfigure;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Matches where the task API and the dashboard may be served: where the application
 * turned them on ({@code amqp-tasks.http.enabled=true}), or, when it said nothing, where
 * Spring Security's web security is enabled, so that amqp-tasks' filter chain (or the
 * application's own) protects them. An application with neither never serves task
 * arguments and results to whoever can reach its port by merely adding the starter.
 */
final class OnTaskApiCondition extends SpringBootCondition implements ConfigurationCondition {

	static final String PROPERTY = "amqp-tasks.http.enabled";

	private static final String HTTP_SECURITY = "org.springframework.security.config.annotation.web.builders.HttpSecurity";

	@Override
	public ConfigurationPhase getConfigurationPhase() {
		return ConfigurationPhase.REGISTER_BEAN;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("amqp-tasks HTTP API");
		Boolean enabled;
		try {
			enabled = context.getEnvironment().getProperty(PROPERTY, Boolean.class);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException(
					PROPERTY + " must be true or false, was '" + context.getEnvironment().getProperty(PROPERTY) + "'",
					ex);
		}
		if (enabled != null) {
			return enabled ? ConditionOutcome.match(message.because(PROPERTY + " is true"))
					: ConditionOutcome.noMatch(message.because(PROPERTY + " is false"));
		}
		if (isWebSecurityEnabled(context)) {
			return ConditionOutcome.match(message.because("Spring Security's web security is enabled"));
		}
		return ConditionOutcome.noMatch(message.because("Spring Security's web security is not enabled and " + PROPERTY
				+ " is not set (set it to true to serve the API without authentication)"));
	}

	/**
	 * Whether Spring Security's web security is enabled in the context: its classes are
	 * present and {@code @EnableWebSecurity} (which Spring Boot adds) defined its
	 * {@code HttpSecurity}.
	 * @param context the condition context
	 * @return whether web security is enabled
	 */
	static boolean isWebSecurityEnabled(ConditionContext context) {
		ClassLoader classLoader = context.getClassLoader();
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		if (beanFactory == null || !ClassUtils.isPresent(HTTP_SECURITY, classLoader)) {
			return false;
		}
		return beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(HTTP_SECURITY, classLoader), true,
				false).length > 0;
	}

	/**
	 * Matches where the task API is served without Spring Security's web security:
	 * whoever reaches the port may use it.
	 */
	static final class Unprotected extends SpringBootCondition implements ConfigurationCondition {

		@Override
		public ConfigurationPhase getConfigurationPhase() {
			return ConfigurationPhase.REGISTER_BEAN;
		}

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			ConditionMessage.Builder message = ConditionMessage.forCondition("amqp-tasks HTTP API unprotected");
			return isWebSecurityEnabled(context)
					? ConditionOutcome.noMatch(message.because("Spring Security's web security is enabled"))
					: ConditionOutcome.match(message.because("Spring Security's web security is not enabled"));
		}

	}

}
