package dev.amqptasks.testing;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * A task message that was recorded instead of published.
 *
 * @param id the task id
 * @param name the task name
 * @param args the positional arguments, as JSON turns them into Java values (numbers,
 * strings, booleans, lists and maps)
 * @param kwargs the named arguments, likewise
 * @param argsJson the positional arguments as they travel
 * @param kwargsJson the named arguments as they travel
 */
public record RecordedTask(String id, String name, List<Object> args, Map<String, Object> kwargs, JsonNode argsJson,
		JsonNode kwargsJson) {

}
