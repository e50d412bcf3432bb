package dev.amqptasks.task;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Logs, once every bean is created, the tasks this application registered: one INFO line
 * that says which names this process can enqueue by type and, in a worker, run.
 */
public final class TaskCatalogReport implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(TaskCatalogReport.class);

	private final TaskCatalog catalog;

	public TaskCatalogReport(TaskCatalog catalog) {
		this.catalog = catalog;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (logger.isInfoEnabled()) {
			logger.info(describe());
		}
	}

	/**
	 * The line logged.
	 * @return the registered tasks, by name
	 */
	public String describe() {
		List<String> names = this.catalog.definitions().stream().map(TaskDefinition::name).sorted().toList();
		if (names.isEmpty()) {
			return "No @AmqpTask methods are registered in this application";
		}
		return names.size() + ((names.size() == 1) ? " task is" : " tasks are") + " registered: "
				+ String.join(", ", names);
	}

}
