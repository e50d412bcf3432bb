package dev.amqptasks.task;

import java.util.List;
import java.util.stream.Collectors;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.TaskContext;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * Binds a task's JSON arguments to its method's parameters and back. Positional arguments
 * bind in order, named ones by parameter name; binding uses the declared parameter types
 * (no polymorphic typing), so a message can only ever produce the values the method
 * declares.
 */
public final class TaskArguments {

	private final JsonMapper json;

	public TaskArguments(JsonMapper json) {
		this.json = json;
	}

	/**
	 * Binds arguments for an invocation.
	 * @param task the task
	 * @param args positional arguments (a JSON array, or {@code null} for none)
	 * @param kwargs named arguments (a JSON object, or {@code null} for none)
	 * @param context the context to pass to a {@link TaskContext} parameter, may be
	 * {@code null}
	 * @return the method's arguments
	 * @throws InvalidTaskArgumentsException if the arguments do not fit the parameters
	 */
	public Object[] bind(TaskDefinition task, JsonNode args, JsonNode kwargs, TaskContext context) {
		checkShape(task, args, kwargs);
		List<TaskParameter> arguments = task.parameters()
			.stream()
			.filter((parameter) -> parameter.kind() == TaskParameter.Kind.ARGUMENT)
			.toList();
		int given = (args != null) ? args.size() : 0;
		if (given > arguments.size()) {
			throw new InvalidTaskArgumentsException("Task '" + task.name() + "' takes " + arguments.size()
					+ " argument(s) " + signature(arguments) + ", got " + given + " positional");
		}
		if (kwargs != null) {
			for (String name : kwargs.propertyNames()) {
				TaskParameter parameter = arguments.stream()
					.filter((candidate) -> candidate.name().equals(name))
					.findFirst()
					.orElseThrow(() -> new InvalidTaskArgumentsException("Task '" + task.name() + "' has no argument '"
							+ name + "'; it takes " + signature(arguments)));
				if (parameter.position() < given) {
					throw new InvalidTaskArgumentsException("Argument '" + name + "' of task '" + task.name()
							+ "' is given both by position and by name");
				}
			}
		}
		Object[] values = new Object[task.parameters().size()];
		for (TaskParameter parameter : task.parameters()) {
			values[parameter.index()] = switch (parameter.kind()) {
				case CONTEXT -> context;
				case OPTIONS -> null;
				case ARGUMENT -> convert(task, parameter, (parameter.position() < given)
						? args.get(parameter.position()) : (kwargs != null) ? kwargs.get(parameter.name()) : null);
			};
		}
		return values;
	}

	private void checkShape(TaskDefinition task, JsonNode args, JsonNode kwargs) {
		if (args != null && !args.isArray()) {
			throw new InvalidTaskArgumentsException("The args of task '" + task.name() + "' must be a JSON array");
		}
		if (kwargs != null && !kwargs.isObject()) {
			throw new InvalidTaskArgumentsException("The kwargs of task '" + task.name() + "' must be a JSON object");
		}
	}

	private Object convert(TaskDefinition task, TaskParameter parameter, JsonNode value) {
		JavaType type = this.json.constructType(parameter.type());
		if (value == null) {
			throw new InvalidTaskArgumentsException(
					"Task '" + task.name() + "' is missing argument '" + parameter.name() + "'");
		}
		if (value.isNull() && type.isPrimitive()) {
			throw new InvalidTaskArgumentsException("Argument '" + parameter.name() + "' of task '" + task.name()
					+ "' must not be null: it is a " + type.getRawClass().getName());
		}
		try {
			return this.json.treeToValue(value, type);
		}
		catch (JacksonException ex) {
			// Names the parameter, the expected type and the kind of JSON value, never
			// the value:
			// the message is stored as the task's error, which readers without the debug
			// authority see (the arguments themselves are shown only to debuggers).
			// Jackson's own
			// message, which quotes the value, stays in the cause for the log.
			throw new InvalidTaskArgumentsException("Argument '" + parameter.name() + "' of task '" + task.name()
					+ "' cannot be read as " + type.toCanonical() + " from a JSON " + kind(value), ex);
		}
	}

	/**
	 * Converts the arguments of a call through the task's bean to JSON.
	 * @param task the task
	 * @param values the call's arguments
	 * @return the task's positional arguments
	 */
	public ArrayNode toJson(TaskDefinition task, Object[] values) {
		ArrayNode args = this.json.createArrayNode();
		for (TaskParameter parameter : task.parameters()) {
			if (parameter.kind() == TaskParameter.Kind.ARGUMENT) {
				args.add(this.json.valueToTree(values[parameter.index()]));
			}
		}
		return args;
	}

	/**
	 * The enqueue options passed in a call through the task's bean.
	 * @param task the task
	 * @param values the call's arguments
	 * @return the options, {@link EnqueueOptions#none()} when the method declares none
	 */
	public EnqueueOptions options(TaskDefinition task, Object[] values) {
		for (TaskParameter parameter : task.parameters()) {
			if (parameter.kind() == TaskParameter.Kind.OPTIONS && values[parameter.index()] != null) {
				return (EnqueueOptions) values[parameter.index()];
			}
		}
		return EnqueueOptions.none();
	}

	private static String kind(JsonNode value) {
		return switch (value.getNodeType()) {
			case ARRAY -> "array";
			case OBJECT, POJO -> "object";
			case STRING, BINARY -> "string";
			case NUMBER -> "number";
			case BOOLEAN -> "boolean";
			case NULL -> "null";
			case MISSING -> "missing value";
		};
	}

	private static String signature(List<TaskParameter> arguments) {
		return arguments.stream().map(TaskParameter::name).collect(Collectors.joining(", ", "(", ")"));
	}

}
