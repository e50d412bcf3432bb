package dev.amqptasks.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metadata the build generates for IDEs and Spring Boot (configuration properties
 * with their descriptions, and auto-configuration conditions). The processors run from
 * the compiler's processor path: a JDK that no longer runs processors found on the class
 * path (23 and later) would leave these files out.
 */
@Tag("fast")
class ConfigurationMetadataTests {

	@Test
	void everyPropertyIsDescribedInTheConfigurationMetadata() throws IOException {
		JsonNode metadata;
		try (InputStream in = resource("META-INF/spring-configuration-metadata.json")) {
			metadata = JsonMapper.builder().build().readTree(in);
		}
		assertThat(metadata.path("properties").values()).isNotEmpty().allSatisfy((property) -> {
			assertThat(property.path("name").asString()).startsWith("amqp-tasks.");
			assertThat(property.path("description").asString()).as("description of %s", property.path("name"))
				.isNotBlank();
		});
		assertThat(metadata.path("properties").values()).extracting((property) -> property.path("name").asString())
			.contains("amqp-tasks.http.enabled", "amqp-tasks.connection-factory", "amqp-tasks.redis-connection-factory",
					"amqp-tasks.worker.max-message-size");
	}

	@Test
	void theAutoConfigurationMetadataIsGenerated() throws IOException {
		Properties metadata = new Properties();
		try (InputStream in = resource("META-INF/spring-autoconfigure-metadata.properties")) {
			metadata.load(in);
		}
		assertThat(metadata.stringPropertyNames())
			.anyMatch((key) -> key.startsWith(TaskWebAutoConfiguration.class.getName()));
	}

	private static InputStream resource(String name) {
		InputStream in = ConfigurationMetadataTests.class.getClassLoader().getResourceAsStream(name);
		assertThat(in).as("%s on the class path", name).isNotNull();
		return in;
	}

}
