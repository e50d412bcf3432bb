package dev.amqptasks.task;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.BeanInitializationException;

/**
 * The tasks this process knows, by name. Only names in the catalog of a worker ever run
 * there.
 */
public class TaskCatalog {

	private final Map<String, TaskDefinition> byName = new ConcurrentHashMap<>();

	/**
	 * Adds a task.
	 * @param definition the task
	 * @throws BeanInitializationException if another method already has the same name
	 */
	public void register(TaskDefinition definition) {
		TaskDefinition existing = this.byName.putIfAbsent(definition.name(), definition);
		if (existing != null && !existing.method().equals(definition.method())) {
			throw new BeanInitializationException("Two @AmqpTask methods are named '" + definition.name() + "': "
					+ TaskDefinition.describe(existing.method()) + " and "
					+ TaskDefinition.describe(definition.method()) + ". Task names must be unique");
		}
	}

	/**
	 * Looks a task up.
	 * @param name the task name
	 * @return the task, or empty if this process does not know it
	 */
	public Optional<TaskDefinition> find(String name) {
		return Optional.ofNullable(this.byName.get(name));
	}

	/**
	 * Looks a task up by its method.
	 * @param method the task's method, on the bean's own class
	 * @return the task, or empty if the method is not a registered task
	 */
	public Optional<TaskDefinition> find(java.lang.reflect.Method method) {
		return this.byName.values().stream().filter((definition) -> definition.method().equals(method)).findFirst();
	}

	/**
	 * All known tasks.
	 * @return the tasks
	 */
	public Collection<TaskDefinition> definitions() {
		return this.byName.values();
	}

}
