package dev.amqptasks.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskRequest;
import dev.amqptasks.spi.TaskRegistry;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@link TaskClient} of an application with the starter.
 */
public final class DefaultTaskClient implements TaskClient {

	private final TaskEnqueuer enqueuer;

	private final TaskRegistry registry;

	private final JsonMapper json;

	public DefaultTaskClient(TaskEnqueuer enqueuer, TaskRegistry registry, JsonMapper json) {
		this.enqueuer = enqueuer;
		this.registry = registry;
		this.json = json;
	}

	@Override
	public TaskHandle enqueue(String task, List<?> args, Map<String, ?> kwargs, EnqueueOptions options) {
		TaskEnqueuer.Enqueued enqueued = this.enqueuer.enqueue(task, this.json.valueToTree(args),
				this.json.valueToTree(kwargs), options);
		return handle(enqueued.task().id());
	}

	@Override
	public List<TaskHandle> enqueueAll(List<TaskRequest> requests) {
		List<TaskEnqueuer.Request> tasks = requests.stream()
			.map((request) -> new TaskEnqueuer.Request(request.task(), this.json.valueToTree(request.args()),
					this.json.valueToTree(request.kwargs()), request.options()))
			.toList();
		return this.enqueuer.enqueueAll(tasks).stream().map((enqueued) -> handle(enqueued.task().id())).toList();
	}

	@Override
	public Optional<TaskHandle> find(String id) {
		return this.registry.find(id).map((task) -> handle(id));
	}

	private TaskHandle handle(String id) {
		return new DefaultTaskHandle(id, this.registry);
	}

}
