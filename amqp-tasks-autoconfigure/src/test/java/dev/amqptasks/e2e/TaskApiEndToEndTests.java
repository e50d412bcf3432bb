package dev.amqptasks.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.amqptasks.TaskError;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The HTTP API of contract section 4 (list, inspect, cancel, enqueue) over MockMvc, on
 * the real broker, registry and worker. Listings run over tasks stored straight in the
 * registry under a name of their own, so that what they return is known exactly.
 */
class TaskApiEndToEndTests extends EndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final String PATH = "/@amqp-tasks";

	@Autowired
	private MockMvc mvc;

	@Autowired
	private TaskRegistry registry;

	@Autowired
	private JsonMapper json;

	@Test
	void listingReturnsItemsNewestFirstAndTheCursorOfTheNextPage() throws Exception {
		String name = LocalServices.uniqueName("api-list");
		List<String> ids = storeTasks(name, 3);

		this.mvc.perform(get(PATH).param("name", name))
			.andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.items[*].id", contains(ids.get(2), ids.get(1), ids.get(0))))
			.andExpect(jsonPath("$.items[*].name").value(everyItem(is(name))))
			.andExpect(jsonPath("$.items[*].status").value(everyItem(is("scheduled"))))
			.andExpect(jsonPath("$.next").value((Object) null));
		this.mvc.perform(get(PATH).param("name", name).param("limit", "2"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.items[*].id", contains(ids.get(2), ids.get(1))))
			.andExpect(jsonPath("$.next").isString());
	}

	@Test
	void listingOnlyReturnsTasksOfTheGivenName() throws Exception {
		String name = LocalServices.uniqueName("api-name");
		String other = LocalServices.uniqueName("api-name");
		List<String> ids = storeTasks(name, 1);
		storeTasks(other, 2);

		this.mvc.perform(get(PATH).param("name", name))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.items[*].id", contains(ids.toArray())));
	}

	@Test
	void listingFiltersByEveryGivenStatus() throws Exception {
		String name = LocalServices.uniqueName("api-status");
		String scheduled = storeTask(name + "-scheduled", name);
		String canceled = storeTask(name + "-canceled", name);
		this.registry.requestCancel(canceled);
		String finished = storeTask(name + "-finished", name);
		this.registry.start(new TaskRegistry.StartRequest(new NewTask(finished, name, "[]", "{}", 0), "attempt-1"),
				"api-test-worker", Duration.ofSeconds(30));
		this.registry.finish(finished, "attempt-1", "1");

		this.mvc.perform(get(PATH).param("name", name).param("status", "finished").param("status", "canceled"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.items[*].id", contains(finished, canceled)))
			.andExpect(jsonPath("$.items[*].status", contains("finished", "canceled")));
		this.mvc.perform(get(PATH).param("name", name).param("status", "scheduled"))
			.andExpect(jsonPath("$.items[*].id", contains(scheduled)));
		this.mvc.perform(get(PATH).param("status", "canceled").param("limit", "500"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.items[*].id").value(hasItem(canceled)))
			.andExpect(jsonPath("$.items[*].status").value(everyItem(is("canceled"))));
	}

	@Test
	void theCursorWalksEveryTaskExactlyOnceNewestFirst() throws Exception {
		String name = LocalServices.uniqueName("api-pages");
		List<String> ids = storeTasks(name, 7);

		List<String> walked = new ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			MockHttpServletRequestBuilder request = get(PATH).param("name", name).param("limit", "2");
			if (cursor != null) {
				request.param("cursor", cursor);
			}
			JsonNode page = read(this.mvc.perform(request).andExpect(status().isOk()));
			assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
			page.get("items").forEach((item) -> walked.add(item.get("id").asString()));
			cursor = page.get("next").isNull() ? null : page.get("next").asString();
			pages++;
		}
		while (cursor != null && pages < 10);

		Collections.reverse(ids);
		assertThat(walked).containsExactlyElementsOf(ids);
		assertThat(pages).isEqualTo(4);
	}

	@Test
	void aTaskIsShownWithEveryFieldOfTheTaskView() throws Exception {
		String id = enqueue("{\"task\":\"test.progress\",\"args\":[2]}");
		awaitStatus(id, "finished");

		JsonNode view = read(this.mvc.perform(get(PATH + "/" + id))
			.andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)));

		assertThat(view.propertyNames()).containsExactlyInAnyOrder("id", "name", "status", "args", "kwargs", "result",
				"error", "attempts", "maxRetries", "createdAt", "startedAt", "finishedAt", "updatedAt", "worker",
				"progress", "eventlog", "replays");
		assertThat(view.get("id").asString()).isEqualTo(id);
		assertThat(view.get("name").asString()).isEqualTo("test.progress");
		assertThat(view.get("status").asString()).isEqualTo("finished");
		assertThat(view.get("args")).isEqualTo(this.json.readTree("[2]"));
		assertThat(view.get("kwargs")).isEqualTo(this.json.readTree("{}"));
		assertThat(view.get("result").isNull()).isTrue();
		assertThat(view.get("error").isNull()).isTrue();
		assertThat(view.get("attempts").asInt()).isEqualTo(1);
		assertThat(view.get("maxRetries").asInt()).isEqualTo(5);
		Instant createdAt = instant(view, "createdAt");
		Instant startedAt = instant(view, "startedAt");
		Instant finishedAt = instant(view, "finishedAt");
		assertThat(startedAt).isAfterOrEqualTo(createdAt);
		assertThat(finishedAt).isAfterOrEqualTo(startedAt);
		assertThat(instant(view, "updatedAt")).isAfterOrEqualTo(finishedAt);
		assertThat(view.get("worker").isString()).isTrue();
		assertThat(view.get("worker").asString()).isNotBlank();
		assertThat(view.get("progress").asDouble()).isEqualTo(1.0);
		List<String> messages = new ArrayList<>();
		view.get("eventlog").forEach((event) -> {
			assertThat(event.propertyNames()).containsExactlyInAnyOrder("at", "message");
			instant(event, "at");
			messages.add(event.get("message").asString());
		});
		assertThat(messages).containsSubsequence("step 1", "step 2");
	}

	@Test
	void anUnknownTaskIsNotFound() throws Exception {
		assertProblem(this.mvc.perform(get(PATH + "/no-such-task")), 404)
			.andExpect(jsonPath("$.detail").value(containsString("no-such-task")));
	}

	@Test
	void cancelingAQueuedTaskCancelsItAtOnce() throws Exception {
		String id = enqueue("{\"task\":\"test.add\",\"args\":[1,2],\"delay\":\"PT60S\"}");

		this.mvc.perform(delete(PATH + "/" + id))
			.andExpect(status().isAccepted())
			.andExpect(jsonPath("$.id").value(id))
			.andExpect(jsonPath("$.status").value("canceled"));
		this.mvc.perform(get(PATH + "/" + id))
			.andExpect(jsonPath("$.status").value("canceled"))
			.andExpect(jsonPath("$.attempts").value(0));
	}

	@Test
	void cancelingACanceledTaskIsOk() throws Exception {
		String id = enqueue("{\"task\":\"test.add\",\"args\":[1,2],\"delay\":\"PT60S\"}");
		this.mvc.perform(delete(PATH + "/" + id)).andExpect(status().isAccepted());

		this.mvc.perform(delete(PATH + "/" + id))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.id").value(id))
			.andExpect(jsonPath("$.status").value("canceled"));
	}

	@Test
	void cancelingAFinishedTaskIsAConflict() throws Exception {
		String id = enqueue("{\"task\":\"test.add\",\"args\":[1,2]}");
		awaitStatus(id, "finished");

		assertProblem(this.mvc.perform(delete(PATH + "/" + id)), 409)
			.andExpect(jsonPath("$.taskStatus").value("finished"));
		this.mvc.perform(get(PATH + "/" + id))
			.andExpect(jsonPath("$.status").value("finished"))
			.andExpect(jsonPath("$.result").value(3));
	}

	@Test
	void cancelingAnErroredTaskIsAConflict() throws Exception {
		String id = storeTask(LocalServices.uniqueName("api-errored"), "test.fail");
		this.registry.start(new TaskRegistry.StartRequest(new NewTask(id, "test.fail", "[]", "{}", 0), "attempt-1"),
				"api-test-worker", Duration.ofSeconds(30));
		this.registry.fail(id, "attempt-1", new TaskError(IllegalStateException.class.getName(), "boom"));

		assertProblem(this.mvc.perform(delete(PATH + "/" + id)), 409)
			.andExpect(jsonPath("$.taskStatus").value("errored"));
		this.mvc.perform(get(PATH + "/" + id))
			.andExpect(jsonPath("$.status").value("errored"))
			.andExpect(jsonPath("$.error.type").value(IllegalStateException.class.getName()))
			.andExpect(jsonPath("$.error.message").value("boom"));
	}

	@Test
	void cancelingARunningTaskIsAcceptedAndTheTaskEndsCanceled() throws Exception {
		String id = enqueue("{\"task\":\"test.sleep\",\"args\":[60]}");
		awaitStatus(id, "running");

		this.mvc.perform(delete(PATH + "/" + id))
			.andExpect(status().isAccepted())
			.andExpect(jsonPath("$.id").value(id))
			.andExpect(jsonPath("$.status").value("running"));
		awaitStatus(id, "canceled");
	}

	@Test
	void cancelingAnUnknownTaskIsNotFound() throws Exception {
		assertProblem(this.mvc.perform(delete(PATH + "/no-such-task")), 404);
	}

	@Test
	void postingATaskEnqueuesItAndTheWorkerRunsIt() throws Exception {
		JsonNode created = read(this.mvc
			.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
				.content("{\"task\":\"test.add\",\"args\":[2],\"kwargs\":{\"b\":3}}"))
			.andExpect(status().isCreated())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)));
		String id = created.get("id").asString();

		assertThat(created.get("name").asString()).isEqualTo("test.add");
		assertThat(created.get("args")).isEqualTo(this.json.readTree("[2]"));
		assertThat(created.get("kwargs")).isEqualTo(this.json.readTree("{\"b\":3}"));
		assertThat(created.get("status").asString()).isEqualTo("scheduled");
		this.mvc.perform(get(PATH + "/" + id)).andExpect(status().isOk());
		awaitStatus(id, "finished");
		this.mvc.perform(get(PATH + "/" + id))
			.andExpect(jsonPath("$.result").value(5))
			.andExpect(jsonPath("$.attempts").value(1));
	}

	@Test
	void theLocationOfAPostedTaskIsItsView() throws Exception {
		String id = "api-location-" + System.nanoTime();

		this.mvc
			.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
				.content("{\"task\":\"test.add\",\"args\":[1,1],\"id\":\"" + id + "\"}"))
			.andExpect(status().isCreated())
			.andExpect(header().string("Location", PATH + "/" + id))
			.andExpect(jsonPath("$.id").value(id));
	}

	@Test
	void postingAnExistingIdReturnsThatTaskAndDoesNotRunItAgain() throws Exception {
		String id = "api-idempotent-" + System.nanoTime();
		enqueue("{\"task\":\"test.add\",\"args\":[1,2],\"id\":\"" + id + "\"}");
		awaitStatus(id, "finished");

		this.mvc
			.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
				.content("{\"task\":\"test.add\",\"args\":[5,5],\"id\":\"" + id + "\"}"))
			.andExpect(status().isOk())
			.andExpect(header().doesNotExist("Location"))
			.andExpect(jsonPath("$.id").value(id))
			.andExpect(jsonPath("$.args", contains(1, 2)))
			.andExpect(jsonPath("$.result").value(3));
		String marker = enqueue("{\"task\":\"test.add\",\"args\":[0,0]}");
		awaitStatus(marker, "finished");

		this.mvc.perform(get(PATH + "/" + id))
			.andExpect(jsonPath("$.attempts").value(1))
			.andExpect(jsonPath("$.result").value(3));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`',
			textBlock = """
					malformed JSON          | {"task":                                          | Failed to read request
					an empty body           | ``                                                | Failed to read request
					not an object           | [1,2]                                             | must be a JSON object
					a JSON null             | null                                              | must be a JSON object
					no task                 | {"args":[1,2]}                                    | 'task' is required
					a blank task            | {"task":" ","args":[1,2]}                         | 'task' is required
					a task that is a number | {"task":42}                                       | 'task' must be a string
					args not an array       | {"task":"test.add","args":{"a":1}}                | 'args' must be a JSON array
					kwargs not an object    | {"task":"test.add","kwargs":[1,2]}                | 'kwargs' must be a JSON object
					an unknown field        | {"task":"test.add","args":[1,2],"priority":1}     | 'priority'
					an id that is a number  | {"task":"test.add","args":[1,2],"id":7}           | 'id' must be a string
					a blank id              | {"task":"test.add","args":[1,2],"id":" "}         | task id
					a bad delay             | {"task":"test.add","args":[1,2],"delay":"soon"}   | ISO-8601 duration
					a negative delay        | {"task":"test.add","args":[1,2],"delay":"-PT5S"}  | must not be negative
					a delay too long        | {"task":"test.add","args":[1,2],"delay":"P367D"}  | must be at most
					a wrong argument type   | {"task":"test.add","args":["x",1]}                | Argument 'a' of task 'test.add'
					too many arguments      | {"task":"test.add","args":[1,2,3]}                | takes 2 argument(s)
					a missing argument      | {"task":"test.add","args":[1]}                    | missing argument 'b'
					an unknown kwarg        | {"task":"test.add","args":[1],"kwargs":{"c":2}}   | no argument 'c'
					""")
	void postingABadRequestIsRefusedWithTheReason(String description, String body, String reason) throws Exception {
		assertProblem(this.mvc.perform(post(PATH).contentType(MediaType.APPLICATION_JSON).content(body)), 400)
			.andExpect(jsonPath("$.detail").value(containsString(reason)));
	}

	@Test
	void aTaskWithBadArgumentsIsNeitherStoredNorRun() throws Exception {
		String id = "api-bad-arguments-" + System.nanoTime();

		assertProblem(this.mvc.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
			.content("{\"task\":\"test.add\",\"args\":[\"x\",1],\"id\":\"" + id + "\"}")), 400)
			.andExpect(jsonPath("$.detail").value(containsString("test.add")));
		this.mvc.perform(get(PATH + "/" + id)).andExpect(status().isNotFound());
	}

	@Test
	void postingAnUnknownTaskNameIsUnprocessable() throws Exception {
		String id = "api-unknown-" + System.nanoTime();

		assertProblem(this.mvc.perform(post(PATH).contentType(MediaType.APPLICATION_JSON)
			.content("{\"task\":\"test.no-such-task\",\"args\":[],\"id\":\"" + id + "\"}")), 422)
			.andExpect(jsonPath("$.detail").value(containsString("test.no-such-task")));
		this.mvc.perform(get(PATH + "/" + id)).andExpect(status().isNotFound());
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource({ "limit, 0", "limit, 501", "limit, abc", "limit, -1", "status, bogus", "cursor, %%%",
			"cursor, bm90LWEtY3Vyc29y" })
	void listingWithABadParameterIsABadRequest(String parameter, String value) throws Exception {
		assertProblem(this.mvc.perform(get(PATH).param(parameter, value)), 400)
			.andExpect(jsonPath("$.detail").value(containsString(value)));
	}

	@ParameterizedTest
	@ValueSource(strings = { "1", "500" })
	void listingAcceptsEveryLimitFromOneToFiveHundred(String limit) throws Exception {
		this.mvc.perform(get(PATH).param("limit", limit))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.items").isArray());
	}

	private List<String> storeTasks(String name, int count) {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ids.add(storeTask(name + "-%02d".formatted(i), name));
		}
		return ids;
	}

	private String storeTask(String id, String name) {
		this.registry.create(new NewTask(id, name, "[]", "{}", 0));
		return id;
	}

	private String enqueue(String body) throws Exception {
		JsonNode created = read(this.mvc.perform(post(PATH).contentType(MediaType.APPLICATION_JSON).content(body))
			.andExpect(status().isCreated()));
		return created.get("id").asString();
	}

	private void awaitStatus(String id, String status) {
		await().atMost(TIMEOUT)
			.untilAsserted(() -> this.mvc.perform(get(PATH + "/" + id)).andExpect(jsonPath("$.status").value(status)));
	}

	private JsonNode read(ResultActions result) throws Exception {
		return this.json.readTree(result.andReturn().getResponse().getContentAsString());
	}

	private static Instant instant(JsonNode node, String field) {
		assertThat(node.get(field).isString()).as("%s is a string", field).isTrue();
		return Instant.parse(node.get(field).asString());
	}

	private static ResultActions assertProblem(ResultActions result, int status) throws Exception {
		return result.andExpect(status().is(status))
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(status))
			.andExpect(jsonPath("$.detail").isString())
			.andExpect(jsonPath("$.trace").doesNotExist())
			.andExpect(jsonPath("$.stackTrace").doesNotExist())
			.andExpect(content().string(not(containsString("at dev."))))
			.andExpect(content().string(not(containsString("\\tat "))))
			.andExpect(content().string(not(containsString("Exception:"))));
	}

}
