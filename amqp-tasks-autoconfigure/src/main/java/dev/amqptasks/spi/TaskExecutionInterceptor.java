package dev.amqptasks.spi;

/**
 * Intercepts each attempt of a task in the worker: code that runs before and after the
 * task, sees its outcome, and may decline to run it now or at all. Rate limits,
 * concurrency caps and tenant filters plug in here.
 * <p>
 * Declare interceptors as beans; the worker calls them in
 * {@link org.springframework.core.annotation.Order order} (the first is the outermost),
 * each around the next and the last around the task: <pre class="code">
 * &#64;Bean
 * TaskExecutionInterceptor timing() {
 *     return (execution, chain) -&gt; {
 *         long start = System.nanoTime();
 *         try {
 *             return chain.proceed();
 *         }
 *         finally {
 *             log(execution.name(), System.nanoTime() - start);
 *         }
 *     };
 * }
 * </pre>
 * <p>
 * An interceptor sees the outcome as {@link Chain#proceed()} returns it (the task's
 * result) or throws it (the task's exception, or one from an interceptor further in).
 * What the outermost call returns or throws is the attempt's outcome, with the usual
 * rules: a result finishes the task, an exception fails the attempt (retried while the
 * task's policy allows). To decline, throw instead of proceeding:
 * <ul>
 * <li>{@link DeferTaskException} (not now): the task goes back to {@code scheduled} and
 * its message comes again through the delay queues after the delay, when the interceptors
 * are asked again. The declined attempt counts, as one handed back by a stopping worker
 * does: a task deferred more often than its retries allow ends {@code errored}, so give
 * tasks that may wait long enough retries (or none as the limit,
 * {@code maxRetries = -1}).</li>
 * <li>{@link CancelTaskException} (not at all): the task ends {@code canceled}, with the
 * reason in its event log.</li>
 * </ul>
 * The same exceptions thrown by the task itself have the same effect. An interceptor that
 * proceeds after a task's cancellation was requested, or past its timeout, sees the
 * task's interruption as usual; those outcomes win over a deferral.
 */
@FunctionalInterface
public interface TaskExecutionInterceptor {

	/**
	 * Intercepts one attempt.
	 * @param execution the attempt: the task's name, id, attempt number and context
	 * @param chain runs the next interceptor, and after the last the task
	 * @return the result, normally what {@code chain.proceed()} returned
	 * @throws Throwable the attempt's failure, normally what {@code chain.proceed()}
	 * threw, or {@link DeferTaskException} or {@link CancelTaskException} to decline
	 */
	Object intercept(TaskExecution execution, Chain chain) throws Throwable;

	/**
	 * The rest of the interceptors, then the task.
	 */
	@FunctionalInterface
	interface Chain {

		/**
		 * Runs the next interceptor, or the task after the last one. Call it at most
		 * once.
		 * @return the task's result ({@code null} for a {@code void} task)
		 * @throws Throwable whatever the task or a later interceptor threw
		 */
		Object proceed() throws Throwable;

	}

}
