package dev.amqptasks.autoconfigure;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Chooses the JSON mapper: the application's own when it has exactly one, so that its
 * modules and settings apply to task arguments and results, else a default one.
 */
final class AmqpTasksJson {

	private static final JsonMapper DEFAULT = JsonMapper.builder().findAndAddModules().build();

	private AmqpTasksJson() {
	}

	static JsonMapper mapper(ObjectProvider<JsonMapper> jsonMapper) {
		return jsonMapper.getIfUnique(() -> DEFAULT);
	}

}
