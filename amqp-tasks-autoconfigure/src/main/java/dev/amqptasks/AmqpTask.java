package dev.amqptasks;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;

/**
 * Marks a public method of a Spring bean as a task. Calling the method through the bean
 * enqueues the task and returns at once; a worker runs the method itself.
 * <p>
 * The method returns {@code void}, {@link TaskHandle} or {@code CompletableFuture<R>}.
 * Its parameters are bound from JSON; a {@link TaskContext} parameter receives the
 * running task's context and an {@link EnqueueOptions} parameter lets the caller choose
 * the id or a delay. Both are not part of the task's arguments.
 * <p>
 * The name is what travels in messages and what the registry and HTTP API show. When none
 * is given it is derived as {@code <fully qualified class name>.<method name>}; give one
 * explicitly so that renaming a class does not orphan queued tasks.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface AmqpTask {

	/**
	 * Alias for {@link #name()}.
	 * @return the task name
	 */
	@AliasFor("name")
	String value() default "";

	/**
	 * The task's stable name, for example {@code "billing.send-invoice"}.
	 * @return the task name
	 */
	@AliasFor("value")
	String name() default "";

	/**
	 * Retries after the first attempt, {@code -1} for no limit; by default
	 * {@code amqp-tasks.retry.max-retries}.
	 * @return the number of retries
	 */
	int maxRetries() default DEFAULT_MAX_RETRIES;

	/**
	 * Delay before the first retry, such as {@code "30s"} or {@code "PT30S"}; by default
	 * {@code amqp-tasks.retry.delay}.
	 * @return the delay
	 */
	String retryDelay() default "";

	/**
	 * Factor by which the delay grows with each retry; {@code 1} keeps it fixed. Retries
	 * wait in the same small ladder of broker queues as delayed tasks (no plugin, nothing
	 * held in a worker).
	 * @return the multiplier, by default {@code amqp-tasks.retry.multiplier}
	 */
	double retryMultiplier() default 0;

	/**
	 * Longest delay between retries when it grows; by default
	 * {@code amqp-tasks.retry.max-delay}.
	 * @return the longest delay
	 */
	String retryMaxDelay() default "";

	/**
	 * How long one attempt may run; at the deadline its thread is interrupted and the
	 * attempt fails with {@link TaskTimeoutException}. Empty: no limit.
	 * @return the time limit, such as {@code "10m"}
	 */
	String timeout() default "";

	/**
	 * Exceptions that fail the task at once, without a retry.
	 * {@link NonRetryableTaskException} and {@link InvalidTaskArgumentsException} never
	 * retry either.
	 * @return the exception types
	 */
	Class<? extends Throwable>[] noRetryFor() default {};

	/** Marks {@link #maxRetries()} as not set. */
	int DEFAULT_MAX_RETRIES = Integer.MIN_VALUE;

}
