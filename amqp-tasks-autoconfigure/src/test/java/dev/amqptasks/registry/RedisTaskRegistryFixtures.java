package dev.amqptasks.registry;

import java.util.Collection;

/**
 * Opens {@link RedisTaskRegistry}'s bulk creation to tests in other packages, to fill a registry
 * quickly.
 */
public final class RedisTaskRegistryFixtures {

	private RedisTaskRegistryFixtures() {
	}

	/**
	 * Creates many tasks in one pipeline.
	 * @param registry the registry
	 * @param tasks the tasks
	 */
	public static void createAll(RedisTaskRegistry registry, Collection<NewTask> tasks) {
		registry.createAll(tasks);
	}

}
