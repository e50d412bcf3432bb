package dev.amqptasks.worker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.amqptasks.MalformedTaskMessageException;
import dev.amqptasks.amqp.TaskMessage;
import dev.amqptasks.spi.TaskHeaders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests of {@link MessageReader}, with no broker.
 */
@Tag("fast")
class MessageReaderTests {

	private final MessageReader reader = new MessageReader(JsonMapper.builder().build(), 256);

	@Test
	void aTaskMessageIsReadWithItsArgumentsAndHeaders() {
		MessageProperties properties = new MessageProperties();
		properties.setHeader(TaskHeaders.ATTEMPTS, 2);
		properties.setHeader(TaskHeaders.REPLAY, "1");
		properties.setHeader(TaskHeaders.NOT_BEFORE, 1_000L);

		TaskMessage task = this.reader
			.read(aMessage("{\"id\":\"t-1\",\"task\":\"test.add\",\"args\":[1,2],\"kwargs\":{\"c\":3}}", properties));

		assertThat(task.id()).isEqualTo("t-1");
		assertThat(task.task()).isEqualTo("test.add");
		assertThat(task.args()).hasSize(2);
		assertThat(task.kwargs().get("c").asInt()).isEqualTo(3);
		assertThat(task.attempts()).isEqualTo(2);
		assertThat(task.replay()).isEqualTo(1);
		assertThat(task.notBefore()).isEqualTo(Instant.ofEpochMilli(1_000));
	}

	@Test
	void missingArgumentsAreEmptyAndMissingHeadersAreZero() {
		TaskMessage task = this.reader.read(aMessage("{\"id\":\"t-1\",\"task\":\"test.noop\"}"));

		assertThat(task.args()).isEmpty();
		assertThat(task.kwargs()).isEmpty();
		assertThat(task.attempts()).isZero();
		assertThat(task.replay()).isZero();
		assertThat(task.notBefore()).isNull();
	}

	@Test
	void headersWeDidNotWriteCountForNothing() {
		MessageProperties properties = new MessageProperties();
		properties.setHeader(TaskHeaders.ATTEMPTS, "many");
		properties.setHeader(TaskHeaders.NOT_BEFORE, "soon");

		TaskMessage task = this.reader.read(aMessage("{\"id\":\"t-1\",\"task\":\"test.noop\"}", properties));

		assertThat(task.attempts()).isZero();
		assertThat(task.notBefore()).isNull();
	}

	@Test
	void aBodyOverTheLimitIsRefusedWithTheMessageIdAsTaskId() {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId("t-big");

		String body = "{\"id\":\"t-big\",\"task\":\"x\",\"args\":[\"" + "x".repeat(300) + "\"]}";

		assertMalformed(aMessage(body, properties), "t-big", "larger than the limit of 256");
	}

	@Test
	void aBodyThatIsNotJsonIsRefused() {
		assertMalformed(aMessage("not json"), null, "the body is not JSON");
	}

	@Test
	void aBodyThatIsNotAnObjectIsRefused() {
		assertMalformed(aMessage("[1,2]"), null, "the body is not a JSON object");
	}

	@Test
	void aMessageWithNoIdIsRefused() {
		assertMalformed(aMessage("{\"task\":\"test.add\"}"), null, "it has no task id");
	}

	@Test
	void anIdOutsideTheCharacterSetIsRefusedAndNotRecorded() {
		assertMalformed(aMessage("{\"id\":\"a b\",\"task\":\"test.add\"}"), null, "");
	}

	@Test
	void aMessageWithNoTaskNameIsRefusedWithItsId() {
		assertMalformed(aMessage("{\"id\":\"t-1\",\"task\":\" \"}"), "t-1", "it has no task name");
	}

	@Test
	void argumentsThatAreNotAnArrayAreRefused() {
		assertMalformed(aMessage("{\"id\":\"t-1\",\"task\":\"x\",\"args\":{}}"), "t-1",
				"its args are not a JSON array");
	}

	@Test
	void namedArgumentsThatAreNotAnObjectAreRefused() {
		assertMalformed(aMessage("{\"id\":\"t-1\",\"task\":\"x\",\"kwargs\":[]}"), "t-1",
				"its kwargs are not a JSON object");
	}

	private void assertMalformed(Message message, String taskId, String reason) {
		assertThatExceptionOfType(MalformedTaskMessageException.class).isThrownBy(() -> this.reader.read(message))
			.satisfies((ex) -> {
				assertThat(ex.taskId()).isEqualTo(taskId);
				assertThat(ex.getMessage()).contains(reason);
			});
	}

	private static Message aMessage(String body) {
		return aMessage(body, new MessageProperties());
	}

	private static Message aMessage(String body, MessageProperties properties) {
		return new Message(body.getBytes(StandardCharsets.UTF_8), properties);
	}

}
