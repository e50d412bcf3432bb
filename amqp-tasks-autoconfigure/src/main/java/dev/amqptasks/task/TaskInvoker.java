package dev.amqptasks.task;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import dev.amqptasks.TaskContext;
import dev.amqptasks.TaskContextHolder;
import dev.amqptasks.TaskHandle;
import tools.jackson.databind.JsonNode;

import org.springframework.aop.support.AopUtils;

/**
 * Runs a task's method on the current thread: binds its arguments, makes its context
 * current and waits for a returned future.
 */
public final class TaskInvoker {

	private final TaskArguments arguments;

	public TaskInvoker(TaskArguments arguments) {
		this.arguments = arguments;
	}

	/**
	 * Invokes the task.
	 * @param task the task
	 * @param args positional arguments
	 * @param kwargs named arguments
	 * @param context the task's context
	 * @return the task's result: the value of a returned future, {@code null} for
	 * {@code void} or a returned handle
	 * @throws Throwable whatever the task threw
	 */
	public Object invoke(TaskDefinition task, JsonNode args, JsonNode kwargs, TaskContext context) throws Throwable {
		Object[] values = this.arguments.bind(task, args, kwargs, context);
		Object bean = task.bean();
		Method method = AopUtils.selectInvocableMethod(task.method(), bean.getClass());
		TaskContextHolder.set(context);
		TaskDispatch.begin(task);
		try {
			return unwrap(method.invoke(bean, values));
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
		finally {
			TaskDispatch.end();
			TaskContextHolder.clear();
		}
	}

	private static Object unwrap(Object returned) throws Throwable {
		if (returned instanceof CompletionStage<?> stage) {
			try {
				return stage.toCompletableFuture().get();
			}
			catch (ExecutionException ex) {
				throw ex.getCause();
			}
		}
		if (returned instanceof TaskHandle) {
			return null;
		}
		return returned;
	}

}
