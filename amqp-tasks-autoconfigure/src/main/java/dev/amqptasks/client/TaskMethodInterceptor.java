package dev.amqptasks.client;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.amqptasks.AmqpTask;
import dev.amqptasks.task.TaskArguments;
import dev.amqptasks.task.TaskCatalog;
import dev.amqptasks.task.TaskDefinition;
import dev.amqptasks.task.TaskDispatch;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Turns a call to an {@link AmqpTask} method into an enqueue.
 */
final class TaskMethodInterceptor implements MethodInterceptor {

	private final TaskCatalog catalog;

	private final ObjectProvider<TaskEnqueuer> enqueuer;

	private final ObjectProvider<TaskArguments> arguments;

	private final ObjectProvider<TaskResults> results;

	private final Map<Method, TaskDefinition> definitions = new ConcurrentHashMap<>();

	TaskMethodInterceptor(TaskCatalog catalog, ObjectProvider<TaskEnqueuer> enqueuer,
			ObjectProvider<TaskArguments> arguments, ObjectProvider<TaskResults> results) {
		this.catalog = catalog;
		this.enqueuer = enqueuer;
		this.arguments = arguments;
		this.results = results;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		TaskDefinition task = definition(invocation);
		if (TaskDispatch.consume(task)) {
			return invocation.proceed();
		}
		TaskArguments arguments = this.arguments.getObject();
		Object[] values = invocation.getArguments();
		TaskEnqueuer.Enqueued enqueued = this.enqueuer.getObject()
			.enqueue(task.name(), arguments.toJson(task, values), null, arguments.options(task, values));
		String id = enqueued.task().id();
		return switch (task.returnKind()) {
			case VOID -> null;
			case HANDLE -> this.results.getObject().handle(id);
			case FUTURE -> this.results.getObject().result(task, id);
		};
	}

	private TaskDefinition definition(MethodInvocation invocation) {
		return this.definitions.computeIfAbsent(invocation.getMethod(), (method) -> {
			Class<?> targetClass = (invocation.getThis() != null) ? AopUtils.getTargetClass(invocation.getThis())
					: method.getDeclaringClass();
			Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
			// By method: the name in the annotation may be a placeholder, resolved at
			// registration.
			return this.catalog.find(specific)
				.orElseThrow(() -> new IllegalStateException(
						"Task method " + TaskDefinition.describe(specific) + " is not registered"));
		});
	}

}
