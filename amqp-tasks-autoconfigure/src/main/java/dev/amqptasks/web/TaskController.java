package dev.amqptasks.web;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskIds;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskNotFoundException;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.UnknownTaskException;
import dev.amqptasks.client.TaskEnqueuer;
import dev.amqptasks.client.TaskReplayer;
import dev.amqptasks.spi.TaskApiPermissions;
import dev.amqptasks.spi.TaskCursor;
import dev.amqptasks.spi.TaskPage;
import dev.amqptasks.spi.TaskQuery;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.spi.TaskTransitions;
import dev.amqptasks.task.TaskCatalog;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The task API: list, inspect, cancel and (when enabled) enqueue tasks.
 */
@RestController
@RequestMapping("${amqp-tasks.http.path:/@amqp-tasks}")
public class TaskController {

	private static final Set<String> ENQUEUE_FIELDS = Set.of("task", "args", "kwargs", "id", "delay");

	private final TaskRegistry registry;

	private final TaskEnqueuer enqueuer;

	private final TaskReplayer replayer;

	private final TaskCatalog catalog;

	private final String path;

	private final boolean enqueueEnabled;

	private final TaskApiPermissions permissions;

	public TaskController(TaskRegistry registry, TaskEnqueuer enqueuer, TaskReplayer replayer, TaskCatalog catalog,
			String path, boolean enqueueEnabled) {
		this(registry, enqueuer, replayer, catalog, path, enqueueEnabled, TaskApiPermissions.unrestricted());
	}

	/**
	 * Creates the controller.
	 * @param registry the registry the tasks are read from
	 * @param enqueuer enqueues tasks
	 * @param replayer replays tasks
	 * @param catalog the tasks this application knows
	 * @param path where the API is served
	 * @param enqueueEnabled whether {@code POST <path>} enqueues tasks
	 * @param permissions what the caller may see of each task
	 */
	public TaskController(TaskRegistry registry, TaskEnqueuer enqueuer, TaskReplayer replayer, TaskCatalog catalog,
			String path, boolean enqueueEnabled, TaskApiPermissions permissions) {
		this.registry = registry;
		this.enqueuer = enqueuer;
		this.replayer = replayer;
		this.catalog = catalog;
		this.path = path;
		this.enqueueEnabled = enqueueEnabled;
		this.permissions = permissions;
	}

	@GetMapping
	public TaskList list(@RequestParam(name = "status", required = false) List<String> status,
			@RequestParam(name = "name", required = false) String name,
			@RequestParam(name = "limit", required = false) String limit,
			@RequestParam(name = "cursor", required = false) String cursor) {
		TaskQuery query = new TaskQuery(statuses(status), (name != null && !name.isEmpty()) ? name : null, limit(limit),
				(cursor != null && !cursor.isEmpty()) ? cursor(cursor) : null);
		TaskPage page = this.registry.list(query);
		return new TaskList(page.items().stream().map(this.permissions::redact).toList(),
				(page.next() != null) ? page.next().encode() : null);
	}

	@GetMapping("/{id}")
	public TaskInfo get(@PathVariable("id") String id) {
		return this.permissions.redact(find(id));
	}

	@DeleteMapping("/{id}")
	public ResponseEntity<TaskInfo> cancel(@PathVariable("id") String id) {
		TaskInfo task = find(id);
		if (task.status() == TaskStatus.CANCELED) {
			return ResponseEntity.ok(this.permissions.redact(task));
		}
		return ResponseEntity.accepted().body(this.permissions.redact(this.registry.requestCancel(id)));
	}

	private TaskInfo find(String id) {
		return this.registry.find(validId(id)).orElseThrow(() -> new TaskNotFoundException(id));
	}

	private static String validId(String id) {
		if (!TaskIds.isValid(id)) {
			throw new BadTaskRequestException(TaskIds.describeInvalid(id));
		}
		return id;
	}

	@PostMapping
	public ResponseEntity<TaskInfo> enqueue(@RequestBody JsonNode body) {
		if (!this.enqueueEnabled) {
			throw new BadTaskRequestException(HttpStatus.METHOD_NOT_ALLOWED,
					"Enqueuing over HTTP is disabled; set amqp-tasks.http.enqueue-enabled=true to allow it");
		}
		if (body == null || !body.isObject()) {
			throw new BadTaskRequestException("The body must be a JSON object");
		}
		for (String field : body.propertyNames()) {
			if (!ENQUEUE_FIELDS.contains(field)) {
				throw new BadTaskRequestException("Unknown field '" + field + "'; allowed are " + ENQUEUE_FIELDS);
			}
		}
		String task = requiredString(body, "task");
		JsonNode args = optional(body, "args");
		if (args != null && !args.isArray()) {
			throw new BadTaskRequestException("'args' must be a JSON array");
		}
		JsonNode kwargs = optional(body, "kwargs");
		if (kwargs != null && !kwargs.isObject()) {
			throw new BadTaskRequestException("'kwargs' must be a JSON object");
		}
		EnqueueOptions options = options(optionalString(body, "id"), optionalString(body, "delay"));
		if (this.catalog.find(task).isEmpty()) {
			throw new UnknownTaskException(task);
		}
		TaskEnqueuer.Enqueued enqueued = this.enqueuer.enqueue(task, args, kwargs, options);
		TaskInfo view = this.permissions.redact(enqueued.task());
		if (!enqueued.created()) {
			return ResponseEntity.ok(view);
		}
		return ResponseEntity.created(URI.create(this.path + "/" + view.id())).body(view);
	}

	@PostMapping("/{id}/retry")
	public ResponseEntity<TaskInfo> retry(@PathVariable("id") String id) {
		return ResponseEntity.accepted().body(this.permissions.redact(this.replayer.replay(validId(id))));
	}

	/**
	 * Replays the {@code errored} or {@code canceled} tasks that match the filters,
	 * newest first, at most {@code limit} of them.
	 */
	@PostMapping("/retry")
	public ResponseEntity<Replayed> retryAll(@RequestParam(name = "status", required = false) List<String> status,
			@RequestParam(name = "name", required = false) String name,
			@RequestParam(name = "limit", required = false) String limit) {
		Set<TaskStatus> statuses = statuses(status);
		if (statuses.isEmpty()) {
			statuses = TaskTransitions.REPLAYED_FROM;
		}
		if (!TaskTransitions.REPLAYED_FROM.containsAll(statuses)) {
			throw new BadTaskRequestException("Only errored and canceled tasks can be replayed");
		}
		TaskPage page = this.registry
			.list(new TaskQuery(statuses, (name != null && !name.isEmpty()) ? name : null, limit(limit), null));
		List<String> replayed = new java.util.ArrayList<>();
		for (TaskInfo task : page.items()) {
			try {
				replayed.add(this.replayer.replay(task.id()).id());
			}
			catch (dev.amqptasks.IllegalTaskStateChangeException | TaskNotFoundException ex) {
				// Changed or expired since the listing: not ours to replay any more.
			}
		}
		return ResponseEntity.accepted().body(new Replayed(replayed));
	}

	private static Set<TaskStatus> statuses(List<String> values) {
		Set<TaskStatus> statuses = EnumSet.noneOf(TaskStatus.class);
		if (values != null) {
			for (String value : values) {
				statuses.add(TaskStatus.fromValue(value)
					.orElseThrow(() -> new BadTaskRequestException("Unknown status '" + value + "'; valid are "
							+ EnumSet.allOf(TaskStatus.class).stream().map(TaskStatus::value).toList())));
			}
		}
		return statuses;
	}

	private static int limit(String value) {
		if (value == null) {
			return TaskQuery.DEFAULT_LIMIT;
		}
		try {
			int limit = Integer.parseInt(value);
			if (limit >= 1 && limit <= TaskQuery.MAX_LIMIT) {
				return limit;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new BadTaskRequestException(
				"'limit' must be a whole number from 1 to " + TaskQuery.MAX_LIMIT + ", was '" + value + "'");
	}

	private static TaskCursor cursor(String value) {
		try {
			return TaskCursor.decode(value);
		}
		catch (IllegalArgumentException ex) {
			throw new BadTaskRequestException(ex.getMessage() + ": use the 'next' value of the previous page");
		}
	}

	private static EnqueueOptions options(String id, String delay) {
		Duration parsedDelay = null;
		if (delay != null) {
			try {
				parsedDelay = Duration.parse(delay);
			}
			catch (DateTimeParseException ex) {
				throw new BadTaskRequestException(
						"'delay' must be an ISO-8601 duration such as PT30S, was '" + delay + "'");
			}
		}
		try {
			return new EnqueueOptions(id, parsedDelay);
		}
		catch (IllegalArgumentException ex) {
			throw new BadTaskRequestException(ex.getMessage());
		}
	}

	private static JsonNode optional(JsonNode body, String field) {
		JsonNode value = body.get(field);
		return (value == null || value.isNull()) ? null : value;
	}

	private static String optionalString(JsonNode body, String field) {
		JsonNode value = optional(body, field);
		if (value == null) {
			return null;
		}
		if (!value.isString()) {
			throw new BadTaskRequestException("'" + field + "' must be a string");
		}
		return value.asString();
	}

	private static String requiredString(JsonNode body, String field) {
		String value = optionalString(body, field);
		if (value == null || value.isBlank()) {
			throw new BadTaskRequestException("'" + field + "' is required");
		}
		return value;
	}

	/**
	 * The tasks a bulk replay scheduled again.
	 *
	 * @param replayed their ids
	 */
	public record Replayed(List<String> replayed) {
	}

	/**
	 * A page of the task list.
	 *
	 * @param items the tasks, newest first
	 * @param next the cursor of the next page, or {@code null}
	 */
	public record TaskList(List<TaskInfo> items, String next) {
	}

}
