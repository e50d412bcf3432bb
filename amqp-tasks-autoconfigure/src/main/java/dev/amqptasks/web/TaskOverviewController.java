package dev.amqptasks.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskQueueDepths;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.WorkerDirectory;
import dev.amqptasks.spi.WorkerStatus;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The overview behind the dashboard: the live workers ({@code GET /@amqp-workers}) and
 * the task counts and queue depths ({@code GET /@amqp-stats}). Both are cheap however
 * many tasks are stored: the counts are the sizes of the registry's indexes, the workers
 * come from their own entries, and the queue depths are polled from the broker in the
 * background.
 */
@RestController
public class TaskOverviewController {

	private final TaskRegistry registry;

	private final ObjectProvider<WorkerDirectory> workers;

	private final ObjectProvider<TaskQueueDepths> queueDepths;

	/**
	 * Creates the controller.
	 * @param registry the registry whose tasks are counted
	 * @param workers where workers report themselves; none lists no worker
	 * @param queueDepths the polled queue depths; none reports them as unknown
	 */
	public TaskOverviewController(TaskRegistry registry, ObjectProvider<WorkerDirectory> workers,
			ObjectProvider<TaskQueueDepths> queueDepths) {
		this.registry = registry;
		this.workers = workers;
		this.queueDepths = queueDepths;
	}

	@GetMapping("${amqp-tasks.http.workers-path:/@amqp-workers}")
	public WorkerList workers() {
		WorkerDirectory directory = this.workers.getIfAvailable();
		return new WorkerList((directory != null) ? directory.list() : List.of());
	}

	@GetMapping("${amqp-tasks.http.stats-path:/@amqp-stats}")
	public TaskStats stats() {
		TaskCounts counts = this.registry.counts();
		Map<String, Map<String, Long>> byName = new LinkedHashMap<>();
		counts.byName().forEach((name, byStatus) -> byName.put(name, byValue(byStatus)));
		return new TaskStats(byValue(counts.byStatus()), byName, queues());
	}

	private Queues queues() {
		TaskQueueDepths depths = this.queueDepths.getIfAvailable();
		if (depths == null) {
			return new Queues(null, null, null);
		}
		TaskQueueDepths.Depths current = depths.current();
		return new Queues(known(current.main()), known(current.delay()), known(current.error()));
	}

	/** A depth that could not be polled is unknown, as when nothing polls at all. */
	private static Long known(long depth) {
		return (depth >= 0) ? depth : null;
	}

	private static Map<String, Long> byValue(Map<TaskStatus, Long> counts) {
		Map<String, Long> byValue = new LinkedHashMap<>();
		counts.forEach((status, count) -> byValue.put(status.value(), count));
		return byValue;
	}

	/**
	 * The live workers.
	 *
	 * @param items the workers, most recently seen first
	 */
	public record WorkerList(List<WorkerStatus> items) {
	}

	/**
	 * Task counts and queue depths.
	 *
	 * @param tasks the number of tasks in each state
	 * @param byName for each task name, the number of its tasks in each state
	 * @param queues the depths of the task queues
	 */
	public record TaskStats(Map<String, Long> tasks, Map<String, Map<String, Long>> byName, Queues queues) {
	}

	/**
	 * Messages waiting in the task queues, {@code null} when unknown (nothing polls the
	 * broker in this application, or the last poll failed).
	 *
	 * @param main ready messages in the main queue
	 * @param delay messages waiting in the delay queue
	 * @param error messages in the error queue
	 */
	public record Queues(Long main, Long delay, Long error) {
	}

}
