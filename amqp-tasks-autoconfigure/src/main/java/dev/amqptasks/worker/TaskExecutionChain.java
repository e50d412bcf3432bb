package dev.amqptasks.worker;

import java.util.List;

import dev.amqptasks.TaskContext;
import dev.amqptasks.spi.TaskExecution;
import dev.amqptasks.spi.TaskExecutionInterceptor;

/**
 * Runs an attempt through the execution interceptors, in their order, the first
 * outermost.
 */
final class TaskExecutionChain {

	static final TaskExecutionChain NONE = new TaskExecutionChain(List.of());

	private final List<TaskExecutionInterceptor> interceptors;

	TaskExecutionChain(List<TaskExecutionInterceptor> interceptors) {
		this.interceptors = List.copyOf(interceptors);
	}

	/**
	 * Runs the interceptors around the task.
	 * @param execution the attempt
	 * @param task runs the task
	 * @return the outcome, as the first interceptor returns it
	 * @throws Throwable the failure, as the first interceptor throws it
	 */
	Object proceed(TaskExecution execution, TaskExecutionInterceptor.Chain task) throws Throwable {
		if (this.interceptors.isEmpty()) {
			return task.proceed();
		}
		return new Link(execution, task, 0).proceed();
	}

	/** The chain from one interceptor on. */
	private final class Link implements TaskExecutionInterceptor.Chain {

		private final TaskExecution execution;

		private final TaskExecutionInterceptor.Chain task;

		private final int index;

		private boolean proceeded;

		Link(TaskExecution execution, TaskExecutionInterceptor.Chain task, int index) {
			this.execution = execution;
			this.task = task;
			this.index = index;
		}

		@Override
		public Object proceed() throws Throwable {
			if (this.proceeded) {
				throw new IllegalStateException(
						"An execution interceptor proceeded twice with task " + this.execution.id());
			}
			this.proceeded = true;
			if (this.index == TaskExecutionChain.this.interceptors.size()) {
				return this.task.proceed();
			}
			return TaskExecutionChain.this.interceptors.get(this.index)
				.intercept(this.execution, new Link(this.execution, this.task, this.index + 1));
		}

	}

	/**
	 * An attempt as the interceptors see it.
	 *
	 * @param name the task name
	 * @param id the task id
	 * @param attempt the attempt number
	 * @param context the task's context
	 */
	record Execution(String name, String id, int attempt, TaskContext context) implements TaskExecution {
	}

}
