package dev.amqptasks.worker;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks running in this worker, by id.
 */
final class RunningTasks {

	private final Map<String, RunningTask> byId = new ConcurrentHashMap<>();

	RunningTask start(String id, String name, String token) {
		RunningTask task = new RunningTask(id, name, token, Thread.currentThread());
		this.byId.put(id, task);
		return task;
	}

	void finish(RunningTask task) {
		this.byId.remove(task.id(), task);
		task.end();
	}

	/**
	 * Cancels the task if it runs here; a request for a task running elsewhere is
	 * ignored.
	 */
	void cancel(String id) {
		RunningTask task = this.byId.get(id);
		if (task != null) {
			task.cancel();
		}
	}

	Collection<String> ids() {
		return List.copyOf(this.byId.keySet());
	}

	/**
	 * The running attempts' tokens by task id.
	 */
	Map<String, String> tokens() {
		Map<String, String> tokens = new HashMap<>();
		this.byId.forEach((id, task) -> tokens.put(id, task.token()));
		return tokens;
	}

	/**
	 * The attempt running the task here, if any.
	 */
	RunningTask find(String id) {
		return this.byId.get(id);
	}

	List<RunningTask> all() {
		return List.copyOf(this.byId.values());
	}

	int count() {
		return this.byId.size();
	}

}
