package dev.amqptasks.task;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import dev.amqptasks.AmqpTask;
import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskContext;
import dev.amqptasks.TaskHandle;

import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;

/**
 * One registered task: its name, its method, how its parameters bind and what it returns.
 */
public final class TaskDefinition {

	private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

	private final String name;

	private final Method method;

	private final List<TaskParameter> parameters;

	private final ReturnKind returnKind;

	private final Type resultType;

	private final Supplier<Object> bean;

	private final AmqpTask settings;

	private final UnaryOperator<String> placeholders;

	private TaskDefinition(String name, Method method, List<TaskParameter> parameters, ReturnKind returnKind,
			Type resultType, Supplier<Object> bean, AmqpTask settings, UnaryOperator<String> placeholders) {
		this.placeholders = placeholders;
		this.name = name;
		this.method = method;
		this.parameters = parameters;
		this.returnKind = returnKind;
		this.resultType = resultType;
		this.bean = bean;
		this.settings = settings;
	}

	/**
	 * Describes an {@link AmqpTask} method.
	 * @param method the annotated method, on the bean's own class
	 * @param bean supplies the bean to invoke (the proxied one, so that other advice
	 * applies)
	 * @return the definition
	 * @throws BeanInitializationException if the method cannot be a task
	 */
	public static TaskDefinition of(Method method, Supplier<Object> bean) {
		return of(method, bean, UnaryOperator.identity());
	}

	/**
	 * Describes an {@link AmqpTask} method whose string attributes (name, delays,
	 * timeout) may hold {@code ${...}} placeholders.
	 * @param method the annotated method, on the bean's own class
	 * @param bean supplies the bean to invoke (the proxied one, so that other advice
	 * applies)
	 * @param placeholders resolves the placeholders of an attribute value
	 * @return the definition
	 * @throws BeanInitializationException if the method cannot be a task
	 */
	public static TaskDefinition of(Method method, Supplier<Object> bean, UnaryOperator<String> placeholders) {
		AmqpTask annotation = AnnotatedElementUtils.findMergedAnnotation(method, AmqpTask.class);
		if (annotation == null) {
			throw new IllegalArgumentException(method + " is not annotated with @AmqpTask");
		}
		String name = resolve(method, "name", nameOf(method, annotation), placeholders);
		if (!java.lang.reflect.Modifier.isPublic(method.getModifiers())
				|| java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
			throw new BeanInitializationException("@AmqpTask method " + describe(method)
					+ " must be a public instance method: calls to it are enqueued through its bean");
		}
		TaskDefinition definition = new TaskDefinition(name, method, parameters(method), returnKind(method),
				resultType(method), bean, annotation, placeholders);
		// Fail start-up, not the first run, on an invalid annotation value.
		definition.policy(new TaskPolicy(0, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 0, null, List.of()));
		return definition;
	}

	/**
	 * The retries the task allows: its annotation's, or the default.
	 * @param fallback the application's default
	 * @return retries after the first attempt, {@code -1} for no limit
	 */
	public int maxRetries(int fallback) {
		return (this.settings.maxRetries() != AmqpTask.DEFAULT_MAX_RETRIES) ? this.settings.maxRetries() : fallback;
	}

	/**
	 * The task's retry and time-limit settings: those of its annotation over the
	 * defaults.
	 * @param defaults the application's defaults
	 * @return the effective policy
	 * @throws BeanInitializationException if an annotation value is not valid
	 */
	public TaskPolicy policy(TaskPolicy defaults) {
		AmqpTask task = this.settings;
		if (task.maxRetries() != AmqpTask.DEFAULT_MAX_RETRIES && task.maxRetries() < -1) {
			throw invalid("maxRetries", task.maxRetries() + " (use -1 for no limit)");
		}
		if (task.retryMultiplier() != 0 && task.retryMultiplier() < 1) {
			throw invalid("retryMultiplier", task.retryMultiplier() + " (it must be at least 1)");
		}
		return new TaskPolicy(maxRetries(defaults.maxRetries()),
				duration("retryDelay", resolve(this.method, "retryDelay", task.retryDelay(), this.placeholders),
						defaults.delay()),
				(task.retryMultiplier() != 0) ? task.retryMultiplier() : defaults.multiplier(),
				duration("retryMaxDelay",
						resolve(this.method, "retryMaxDelay", task.retryMaxDelay(), this.placeholders),
						defaults.maxDelay()),
				defaults.jitter(),
				duration("timeout", resolve(this.method, "timeout", task.timeout(), this.placeholders),
						defaults.timeout()),
				(task.noRetryFor().length > 0) ? List.of(task.noRetryFor()) : defaults.noRetryFor());
	}

	private Duration duration(String attribute, String value, Duration fallback) {
		if (!StringUtils.hasText(value)) {
			return fallback;
		}
		Duration parsed;
		try {
			parsed = DurationStyle.detectAndParse(value);
		}
		catch (IllegalArgumentException ex) {
			throw invalid(attribute, "'" + value + "' (use a duration such as 30s or PT30S)");
		}
		if (parsed.isNegative() || parsed.isZero() || parsed.compareTo(EnqueueOptions.MAX_DELAY) > 0) {
			throw invalid(attribute,
					"'" + value + "' (it must be more than 0 and at most " + EnqueueOptions.MAX_DELAY + ")");
		}
		return parsed;
	}

	private BeanInitializationException invalid(String attribute, String value) {
		return new BeanInitializationException(
				"@AmqpTask(" + attribute + ") of " + describe(this.method) + " is not valid: " + value);
	}

	private static String resolve(Method method, String attribute, String value, UnaryOperator<String> placeholders) {
		if (!StringUtils.hasText(value)) {
			return value;
		}
		try {
			String resolved = placeholders.apply(value);
			if (attribute.equals("name") && !StringUtils.hasText(resolved)) {
				throw new IllegalArgumentException("it resolves to an empty name");
			}
			return resolved;
		}
		catch (IllegalArgumentException ex) {
			throw new BeanInitializationException("@AmqpTask(" + attribute + ") of " + describe(method)
					+ " is not valid: '" + value + "': " + ex.getMessage(), ex);
		}
	}

	static String nameOf(Method method, AmqpTask annotation) {
		return StringUtils.hasText(annotation.name()) ? annotation.name()
				: method.getDeclaringClass().getName() + "." + method.getName();
	}

	private static List<TaskParameter> parameters(Method method) {
		String[] names = PARAMETER_NAMES.getParameterNames(method);
		List<TaskParameter> parameters = new java.util.ArrayList<>();
		int position = 0;
		for (int i = 0; i < method.getParameterCount(); i++) {
			MethodParameter parameter = new MethodParameter(method, i);
			Class<?> type = parameter.getParameterType();
			String name = (names != null) ? names[i] : "arg" + i;
			if (type == TaskContext.class) {
				parameters.add(new TaskParameter(name, i, -1, TaskParameter.Kind.CONTEXT, type));
			}
			else if (type == EnqueueOptions.class) {
				parameters.add(new TaskParameter(name, i, -1, TaskParameter.Kind.OPTIONS, type));
			}
			else {
				parameters.add(new TaskParameter(name, i, position++, TaskParameter.Kind.ARGUMENT,
						parameter.getGenericParameterType()));
			}
		}
		return List.copyOf(parameters);
	}

	private static ReturnKind returnKind(Method method) {
		Class<?> type = method.getReturnType();
		if (type == void.class) {
			return ReturnKind.VOID;
		}
		if (type == TaskHandle.class) {
			return ReturnKind.HANDLE;
		}
		if (type == CompletableFuture.class) {
			return ReturnKind.FUTURE;
		}
		throw new BeanInitializationException("@AmqpTask method " + describe(method) + " returns " + type.getName()
				+ ": a task returns void, TaskHandle or CompletableFuture<R>, because calling it "
				+ "enqueues it and returns before it runs");
	}

	private static Type resultType(Method method) {
		if (method.getReturnType() != CompletableFuture.class) {
			return Object.class;
		}
		Class<?> resolved = ResolvableType.forMethodReturnType(method).getGeneric(0).resolve();
		return (resolved != null) ? ResolvableType.forMethodReturnType(method).getGeneric(0).getType() : Object.class;
	}

	/**
	 * A method as people read it: its class and name.
	 * @param method the method
	 * @return the description
	 */
	public static String describe(Method method) {
		return method.getDeclaringClass().getName() + "." + method.getName();
	}

	/**
	 * The task name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The task method.
	 * @return the method
	 */
	public Method method() {
		return this.method;
	}

	/**
	 * The method's parameters, with what each one binds to.
	 * @return the parameters in declaration order
	 */
	public List<TaskParameter> parameters() {
		return this.parameters;
	}

	/**
	 * What the method returns to its caller.
	 * @return the kind of return value
	 */
	public ReturnKind returnKind() {
		return this.returnKind;
	}

	/**
	 * The type of the result the future completes with, {@code Object} when not a future.
	 * @return the result type
	 */
	public Type resultType() {
		return this.resultType;
	}

	Object bean() {
		return this.bean.get();
	}

	@Override
	public String toString() {
		return this.name + " (" + describe(this.method) + ")";
	}

	/**
	 * What calling a task method returns.
	 */
	public enum ReturnKind {

		/** Nothing. */
		VOID,

		/** A {@link TaskHandle}. */
		HANDLE,

		/** A {@code CompletableFuture} completed with the task's result. */
		FUTURE

	}

}
