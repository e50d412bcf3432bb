package dev.amqptasks.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.InvalidTaskArgumentsException;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.TaskTooLargeException;
import dev.amqptasks.amqp.TaskTopology;
import dev.amqptasks.spi.TaskHeaders;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * What is refused at enqueue time, before anything is stored or published (task ids
 * outside the documented character set, messages larger than workers accept), and that
 * errors shown to readers never quote an argument's value. On the real broker, registry
 * and worker (whose {@code max-message-size} is 64 KB here).
 */
class TaskEnqueueValidationEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@Autowired
	private TaskClient client;

	@Autowired
	private TaskRegistry registry;

	@Autowired
	private MockMvc mvc;

	@Autowired
	private RabbitTemplate rabbit;

	@Autowired
	private TaskTopology topology;

	@ParameterizedTest
	@ValueSource(strings = { "a b", "x{1}", "100%", "a/b", "a;b", "a\\b", "-leading", ".", "..", "é" })
	void anIdOutsideTheCharacterSetIsRefusedByTheClientAndNothingIsStored(String id) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.enqueue("test.add", List.of(1, 2), Map.of(), EnqueueOptions.withId(id)))
			.withMessageContaining("Invalid task id");
		assertThat(this.registry.find(id)).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "a b", "x{1}", "100%", "a/b", "a;b", "a\\\\b" })
	void anIdOutsideTheCharacterSetIsRefusedOverHttpWith400AndNothingIsStored(String id) throws Exception {
		assertProblem(enqueue("{\"task\":\"test.add\",\"args\":[1,2],\"id\":\"" + id + "\"}"), 400)
			.andExpect(jsonPath("$.detail").value(containsString("a task id is 1 to 200 characters")));
		assertThat(this.registry.find(id.replace("\\\\", "\\"))).isEmpty();
	}

	@Test
	void everyIdOfTheCharacterSetRoundTripsThroughEveryEndpoint() throws Exception {
		String id = "Ab9_" + LocalServices.uniqueName("ids") + ".v1:part-2";
		this.mvc
			.perform(post("/@amqp-tasks").contentType(MediaType.APPLICATION_JSON)
				.content("{\"task\":\"test.sleep\",\"args\":[5],\"id\":\"" + id + "\"}"))
			.andExpect(status().isCreated())
			.andExpect(jsonPath("$.id").value(id));
		this.mvc.perform(get("/@amqp-tasks/" + id)).andExpect(status().isOk()).andExpect(jsonPath("$.id").value(id));
		this.mvc
			.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete("/@amqp-tasks/" + id))
			.andExpect(status().is2xxSuccessful());
		await().atMost(TIMEOUT)
			.until(() -> this.registry.find(id).map(TaskInfo::status).orElseThrow() == TaskStatus.CANCELED);
		this.mvc.perform(post("/@amqp-tasks/" + id + "/retry").contentType(MediaType.APPLICATION_JSON))
			.andExpect(status().isAccepted());
		this.mvc
			.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete("/@amqp-tasks/" + id))
			.andExpect(status().is2xxSuccessful());
	}

	@Test
	void aMessageWithAnInvalidIdFromAnotherProducerIsDeadLetteredAndNeverStored() {
		String id = "bad id " + LocalServices.uniqueName("raw");
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(id);
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		byte[] body = ("{\"id\":\"" + id + "\",\"task\":\"test.add\",\"args\":[1,2]}").getBytes(StandardCharsets.UTF_8);
		this.rabbit.send(this.topology.exchange(), this.topology.queue(), new Message(body, properties));

		Message deadLetter = await().atMost(TIMEOUT)
			.until(() -> this.rabbit.receive(this.topology.errorQueue(), 200),
					(message) -> message != null && id.equals(message.getMessageProperties().getMessageId()));
		assertThat(deadLetter.getMessageProperties().<String>getHeader(TaskHeaders.DEAD_LETTER_REASON))
			.contains("Invalid task id");
		assertThat(this.registry.find(id)).isEmpty();
	}

	@Test
	void anInvalidIdInThePathIsRefusedWith400() throws Exception {
		assertProblem(this.mvc.perform(get("/@amqp-tasks/{id}", "100%")), 400)
			.andExpect(jsonPath("$.detail").value(containsString("Invalid task id '100%'")));
	}

	@Test
	void aTaskLargerThanWorkersAcceptIsRefusedByTheClientBeforeItIsStored() {
		String id = LocalServices.uniqueName("too-large");
		String big = "x".repeat(70 * 1024);
		assertThatExceptionOfType(TaskTooLargeException.class)
			.isThrownBy(() -> this.client.enqueue("test.echo", List.of(big), Map.of(), EnqueueOptions.withId(id)))
			.satisfies((ex) -> {
				assertThat(ex.getLimit()).isEqualTo(64 * 1024);
				assertThat(ex.getSize()).isGreaterThan(70 * 1024);
			})
			.withMessageContaining("amqp-tasks.worker.max-message-size");
		assertThat(this.registry.find(id)).isEmpty();
	}

	@Test
	void aTaskLargerThanWorkersAcceptIsRefusedOverHttpWith413BeforeItIsStored() throws Exception {
		String id = LocalServices.uniqueName("too-large");
		String big = "x".repeat(70 * 1024);
		assertProblem(enqueue("{\"task\":\"test.echo\",\"args\":[\"" + big + "\"],\"id\":\"" + id + "\"}"), 413)
			.andExpect(jsonPath("$.limit").value(64 * 1024));
		assertThat(this.registry.find(id)).isEmpty();
	}

	@Test
	void aTaskJustUnderTheLimitIsEnqueuedAndRuns() throws Exception {
		String value = "y".repeat(60 * 1024);
		TaskInfo task = this.client.enqueue("test.echo", value).await(TIMEOUT);
		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
	}

	@Test
	void anArgumentThatDoesNotBindIsReportedWithoutItsValueAtEnqueue() throws Exception {
		assertThatExceptionOfType(InvalidTaskArgumentsException.class)
			.isThrownBy(() -> this.client.enqueue("test.add", "secret-token-4711", 1))
			.withMessage("Argument 'a' of task 'test.add' cannot be read as int from a JSON string")
			.withMessageNotContaining("secret-token-4711");
		assertProblem(enqueue("{\"task\":\"test.add\",\"args\":[\"secret-token-4711\",1]}"), 400)
			.andExpect(content().string(not(containsString("secret-token-4711"))));
	}

	@Test
	void anArgumentThatDoesNotBindOnAWorkerIsStoredWithoutItsValue() throws Exception {
		String id = LocalServices.uniqueName("leak");
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(id);
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		byte[] body = ("{\"id\":\"" + id + "\",\"task\":\"test.add\",\"args\":[{\"token\":\"secret-token-4711\"},1]}")
			.getBytes(StandardCharsets.UTF_8);
		this.rabbit.send(this.topology.exchange(), this.topology.queue(), new Message(body, properties));

		await().atMost(TIMEOUT)
			.until(() -> this.registry.find(id).map(TaskInfo::status).orElse(null) == TaskStatus.ERRORED);
		TaskInfo task = this.registry.find(id).orElseThrow();
		assertThat(task.error().type()).isEqualTo(InvalidTaskArgumentsException.class.getName());
		assertThat(task.error().message())
			.isEqualTo("Argument 'a' of task 'test.add' cannot be read as int from a JSON object")
			.doesNotContain("secret-token-4711");
		this.mvc.perform(get("/@amqp-tasks/" + id))
			.andExpect(jsonPath("$.error.message").value(not(containsString("secret-token-4711"))));
	}

	private ResultActions enqueue(String body) throws Exception {
		return this.mvc.perform(post("/@amqp-tasks").contentType(MediaType.APPLICATION_JSON).content(body));
	}

	private static ResultActions assertProblem(ResultActions result, int status) throws Exception {
		return result.andExpect(status().is(status))
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(status))
			.andExpect(jsonPath("$.detail").isString());
	}

}
