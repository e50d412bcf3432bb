package dev.amqptasks.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The security of the task API, the workers and stats endpoints and the dashboard, over
 * real HTTP: who may read, who may change tasks, the CSRF token, what is hidden without
 * the debug authority, and that the application's other paths keep their own security.
 */
class TaskApiSecurityEndToEndTests extends SecuredEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

	@Autowired
	private TaskClient tasks;

	@Autowired
	private JsonMapper json;

	@ParameterizedTest
	@ValueSource(strings = { TASKS, TASKS + "/some-id", "/@amqp-workers", "/@amqp-stats" })
	void anonymousCallsAreUnauthorizedWithAProblem(String path) throws Exception {
		HttpResponse<String> response = send(Call.get(path));

		assertProblem(response, 401);
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"amqp-tasks\"");
	}

	@Test
	void scriptsThatAreNotSignedInAreNotChallengedForAPassword() throws Exception {
		HttpResponse<String> response = send(Call.get(TASKS).header("X-Requested-With", "XMLHttpRequest"));

		assertProblem(response, 401);
		assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
	}

	@Test
	void anonymousVisitorsOfTheDashboardAreSentToItsSignInPage() throws Exception {
		HttpResponse<String> page = send(Call.get(DASHBOARD));

		assertThat(page.statusCode()).isEqualTo(302);
		assertThat(page.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(URI.create(location).getPath()).isEqualTo(DASHBOARD + "/login"));
		HttpResponse<String> signIn = send(Call.get(DASHBOARD + "/login"));
		assertThat(signIn.statusCode()).isEqualTo(200);
		assertThat(signIn.body()).contains("name=\"username\"", "name=\"password\"", "name=\"_csrf\"");
	}

	@Test
	void wrongCredentialsAreUnauthorized() throws Exception {
		assertProblem(send(Call.get(TASKS).basic("reader", "wrong")), 401);
	}

	@ParameterizedTest
	@ValueSource(strings = { TASKS, "/@amqp-workers", "/@amqp-stats", DASHBOARD })
	void aReaderCanReadEverything(String path) throws Exception {
		assertThat(send(Call.get(path).as("reader")).statusCode()).isEqualTo(200);
	}

	@Test
	void aUserWithoutTheReadAuthorityIsForbidden() throws Exception {
		HttpResponse<String> response = send(Call.get(TASKS).as("nobody"));

		assertProblem(response, 403);
		assertThat(detail(response)).contains("AMQP_TASKS_READ");
	}

	@Test
	void aReaderCannotCancelATask() throws Exception {
		TaskHandle task = this.tasks.enqueue("test.add", List.of(1, 2), Map.of(),
				EnqueueOptions.withDelay(Duration.ofSeconds(60)));

		HttpResponse<String> response = send(Call.delete(TASKS + "/" + task.id()).as("reader").withCsrfToken());

		assertProblem(response, 403);
		assertThat(detail(response)).contains("AMQP_TASKS_MANAGE");
		assertThat(task.status()).isEqualTo(TaskStatus.SCHEDULED);
	}

	@Test
	void aManagerCanCancelATask() throws Exception {
		TaskHandle task = this.tasks.enqueue("test.add", List.of(1, 2), Map.of(),
				EnqueueOptions.withDelay(Duration.ofSeconds(60)));

		HttpResponse<String> response = send(Call.delete(TASKS + "/" + task.id()).as("manager").withCsrfToken());

		assertThat(response.statusCode()).isEqualTo(202);
		assertThat(this.json.readTree(response.body()).get("status").asString()).isEqualTo("canceled");
		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
	}

	@Test
	void changingATaskWithoutTheCsrfTokenIsForbidden() throws Exception {
		TaskHandle task = this.tasks.enqueue("test.add", List.of(1, 2), Map.of(),
				EnqueueOptions.withDelay(Duration.ofSeconds(60)));

		HttpResponse<String> response = send(Call.delete(TASKS + "/" + task.id()).as("manager"));

		assertProblem(response, 403);
		assertThat(detail(response)).contains("CSRF", "X-XSRF-TOKEN");
		assertThat(task.status()).isEqualTo(TaskStatus.SCHEDULED);
	}

	@Test
	void onlyAManagerCanRetryATask() throws Exception {
		TaskHandle task = this.tasks.enqueue("test.fail", "no luck");
		await().atMost(TIMEOUT).until(task::status, (status) -> status == TaskStatus.ERRORED);

		assertProblem(send(Call.post(TASKS + "/" + task.id() + "/retry", null).as("reader").withCsrfToken()), 403);
		assertThat(task.status()).isEqualTo(TaskStatus.ERRORED);
		HttpResponse<String> retried = send(Call.post(TASKS + "/" + task.id() + "/retry", null)
			.as("manager")
			.withCsrfToken()
			.header("X-Requested-With", "XMLHttpRequest"));
		assertThat(retried.statusCode()).isEqualTo(202);
		assertThat(this.json.readTree(retried.body()).get("replays").asInt()).isEqualTo(1);
	}

	@Test
	void onlyAManagerCanEnqueueATask() throws Exception {
		String body = "{\"task\":\"test.add\",\"args\":[2,2]}";

		assertProblem(send(Call.post(TASKS, body).as("reader").withCsrfToken()), 403);
		HttpResponse<String> created = send(Call.post(TASKS, body).as("manager").withCsrfToken());
		assertThat(created.statusCode()).isEqualTo(201);
	}

	@Test
	void argumentsAndResultsAreHiddenWithoutTheDebugAuthority() throws Exception {
		TaskHandle task = this.tasks.enqueue("test.add", 2, 3);
		await().atMost(TIMEOUT).until(task::status, (status) -> status == TaskStatus.FINISHED);

		JsonNode hidden = this.json.readTree(send(Call.get(TASKS + "/" + task.id()).as("manager")).body());
		assertThat(hidden.get("args").isNull()).isTrue();
		assertThat(hidden.get("kwargs").isNull()).isTrue();
		assertThat(hidden.get("result").isNull()).isTrue();
		assertThat(hidden.get("status").asString()).isEqualTo("finished");
		JsonNode listed = this.json
			.readTree(send(Call.get(TASKS + "?name=test.add&status=finished&limit=500").as("reader")).body());
		List<JsonNode> items = new ArrayList<>();
		listed.get("items").forEach(items::add);
		assertThat(items).filteredOn((item) -> item.get("id").asString().equals(task.id()))
			.singleElement()
			.satisfies((item) -> assertThat(item.get("args").isNull()).isTrue());
		JsonNode shown = this.json.readTree(send(Call.get(TASKS + "/" + task.id()).as("debugger")).body());
		assertThat(shown.get("args")).isEqualTo(this.json.readTree("[2,3]"));
		assertThat(shown.get("result").asInt()).isEqualTo(5);
	}

	@Test
	void anErrorKeepsItsMessageWithoutTheDebugAuthority() throws Exception {
		TaskHandle task = this.tasks.enqueue("test.fail", "the reason");
		await().atMost(TIMEOUT).until(task::status, (status) -> status == TaskStatus.ERRORED);

		JsonNode view = this.json.readTree(send(Call.get(TASKS + "/" + task.id()).as("reader")).body());

		assertThat(view.get("args").isNull()).isTrue();
		assertThat(view.get("error").get("message").asString()).isEqualTo("the reason");
	}

	@Test
	void theApplicationsOtherPathsKeepTheirOwnSecurity() throws Exception {
		// Spring Boot's default chain still guards the rest of the application, and its
		// own sign-in
		// page is still its own.
		HttpResponse<String> other = send(Call.get("/not-amqp-tasks"));
		assertThat(other.statusCode()).isEqualTo(401);
		assertThat(other.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying((challenge) -> assertThat(challenge).doesNotContain("amqp-tasks"));
		HttpResponse<String> login = send(Call.get("/login"));
		assertThat(login.statusCode()).isEqualTo(200);
		assertThat(login.body()).doesNotContain("amqp-tasks");
	}

	private HttpResponse<String> send(Call call) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(call.path)))
			.timeout(Duration.ofSeconds(10))
			.header("Accept", "application/json")
			.method(call.method, (call.body != null) ? HttpRequest.BodyPublishers.ofString(call.body)
					: HttpRequest.BodyPublishers.noBody());
		if (call.body != null) {
			request.header("Content-Type", "application/json");
		}
		if (call.user != null) {
			request.header("Authorization", basic(call.user, call.password));
		}
		if (call.csrf) {
			String token = csrfToken(call);
			request.header("Cookie", "XSRF-TOKEN=" + token).header("X-XSRF-TOKEN", token);
		}
		call.headers.forEach((header) -> request.header(header[0], header[1]));
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A token as an API client gets one: from the cookie of any answer under the API's
	 * paths.
	 */
	private String csrfToken(Call call) throws IOException, InterruptedException {
		Call probe = Call.get("/@amqp-stats");
		if (call.user != null) {
			probe.basic(call.user, call.password);
		}
		HttpResponse<String> response = send(probe);
		return response.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter((cookie) -> cookie.startsWith("XSRF-TOKEN="))
			.map((cookie) -> cookie.substring("XSRF-TOKEN=".length(), cookie.indexOf(';')))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No XSRF-TOKEN cookie in " + response.headers()));
	}

	private String detail(HttpResponse<String> response) {
		return this.json.readTree(response.body()).get("detail").asString();
	}

	private void assertProblem(HttpResponse<String> response, int status) {
		assertThat(response.statusCode()).as("status of %s", response.uri()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = this.json.readTree(response.body());
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("detail").asString()).isNotBlank();
		assertThat(response.body()).doesNotContain("Exception", "\tat ");
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * A request to send: a method and path, and optionally a user, a body, a CSRF token
	 * and more headers.
	 */
	private static final class Call {

		private final String method;

		private final String path;

		private final String body;

		private final List<String[]> headers = new ArrayList<>();

		private String user;

		private String password;

		private boolean csrf;

		private Call(String method, String path, String body) {
			this.method = method;
			this.path = path;
			this.body = body;
		}

		static Call get(String path) {
			return new Call("GET", path, null);
		}

		static Call delete(String path) {
			return new Call("DELETE", path, null);
		}

		static Call post(String path, String body) {
			return new Call("POST", path, body);
		}

		Call as(String user) {
			return basic(user, user + "-password");
		}

		Call basic(String user, String password) {
			this.user = user;
			this.password = password;
			return this;
		}

		Call withCsrfToken() {
			this.csrf = true;
			return this;
		}

		Call header(String name, String value) {
			this.headers.add(new String[] { name, value });
			return this;
		}

	}

}
