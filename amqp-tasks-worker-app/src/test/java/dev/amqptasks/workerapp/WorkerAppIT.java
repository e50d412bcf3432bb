package dev.amqptasks.workerapp;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.amqptasks.TaskEvent;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskInfo;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.testsupport.WorkerProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the packaged worker jar as its own JVM, exactly as users do, with the sample's
 * tasks jar on {@code -Dloader.path}, and enqueues sample tasks from a producer context
 * in this JVM. Both talk to the machine's RabbitMQ and Redis under names no other run
 * uses, removed afterwards.
 */
class WorkerAppIT {

	private static final Duration TASK_TIMEOUT = Duration.ofSeconds(60);

	private static final TaskNames NAMES = TaskNames.unique("worker-app");

	@RegisterExtension
	static final WorkerFleet fleet = new WorkerFleet(NAMES);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static WorkerProcess worker;

	@BeforeAll
	static void startWorker() throws IOException {
		List<String> args = new ArrayList<>(NAMES.args());
		args.add("--max-running-tasks=4");
		worker = fleet.start("worker", args);
	}

	@Test
	void addRunsOnTheWorkerAndStoresAWholeSum() throws InterruptedException {
		TaskInfo task = run("sample.add", 1, 2);
		assertFinished(task);
		assertThat(task.result().isIntegralNumber()).as("result %s", task.result()).isTrue();
		assertThat(task.result().asLong()).isEqualTo(3);
		assertThat(task.worker()).isNotNull();
		assertThat(task.attempts()).isEqualTo(1);
	}

	@Test
	void addOfAFractionStoresTheExactDecimalSum() throws InterruptedException {
		TaskInfo task = run("sample.add", 1.5, 2);
		assertFinished(task);
		assertThat(task.result().decimalValue()).isEqualByComparingTo(new BigDecimal("3.5"));
	}

	@Test
	void echoReturnsAJsonObjectUnchanged() throws InterruptedException {
		Map<String, Object> value = Map.of("greeting", "hello", "numbers", List.of(1, 2.5), "nested",
				Map.of("ok", true, "list", List.of()));
		TaskInfo task = run("sample.echo", value);
		assertFinished(task);
		JsonNode expected = JSON
			.readTree("{\"greeting\":\"hello\",\"numbers\":[1,2.5],\"nested\":{\"ok\":true,\"list\":[]}}");
		assertThat(task.result()).isEqualTo(expected);
	}

	@Test
	void progressLogsItsStepsToTheEventLogAndEndsComplete() throws InterruptedException {
		TaskInfo task = run("sample.progress", 3);
		assertFinished(task);
		assertThat(task.result().asInt()).isEqualTo(3);
		assertThat(task.progress()).isEqualTo(1.0);
		assertThat(task.eventlog()).extracting(TaskEvent::message).containsSubsequence("step 1", "step 2", "step 3");
	}

	@Test
	void healthShowsTheMaxRunningTasksOfTheCommandLine() throws IOException, InterruptedException {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + worker.httpPort() + "/actuator/health"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
		JsonNode amqpTasks = JSON.readTree(response.body()).path("components").path("amqpTasks");
		assertThat(amqpTasks.isMissingNode()).as("no amqpTasks component in %s", response.body()).isFalse();
		assertThat(amqpTasks.path("details").path("maxRunningTasks").asInt()).as("health %s", response.body())
			.isEqualTo(4);
	}

	@Test
	void invalidMaxRunningTasksExitsWithStatusTwoAndOneLineOnStandardError() throws Exception {
		ExitedProcess result = runToExit("--max-running-tasks=zero");
		assertThat(result.status()).as("exit status, output %s", result).isEqualTo(2);
		assertThat(result.stderr().lines()).singleElement()
			.asString()
			.startsWith("amqp-tasks-worker: ")
			.contains("--max-running-tasks", "'zero'");
		assertThat(result.stdout()).isEmpty();
	}

	@Test
	void helpPrintsTheOptionsAndExitsWithStatusZero() throws Exception {
		ExitedProcess result = runToExit("--help");
		assertThat(result.status()).as("exit status, output %s", result).isZero();
		assertThat(result.stdout()).contains("--max-running-tasks", "--auto-kill-timeout", "-Dloader.path");
		assertThat(result.stderr()).isEmpty();
	}

	@Test
	void versionPrintsTheBuildsVersionAndExitsWithStatusZero() throws Exception {
		ExitedProcess result = runToExit("--version");
		assertThat(result.status()).as("exit status, output %s", result).isZero();
		assertThat(result.stdout().lines()).singleElement()
			.asString()
			.matches("amqp-tasks-worker \\d+\\.\\d+\\.\\d+\\S* \\(built .+\\)");
		assertThat(result.stderr()).isEmpty();
	}

	@Test
	void theWorkerServesHealthMetricsAndInfoWithItsBuildButNoTaskApi() throws IOException, InterruptedException {
		assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/prometheus").statusCode()).isEqualTo(200);
		HttpResponse<String> info = get("/actuator/info");
		assertThat(JSON.readTree(info.body()).path("build").path("artifact").asString())
			.as("build info in %s", info.body())
			.isEqualTo("amqp-tasks-worker-app");
		for (String path : List.of("/@amqp-tasks", "/@amqp-workers", "/@amqp-stats", "/@amqp-dashboard")) {
			assertThat(get(path).statusCode()).as("GET %s", path).isEqualTo(404);
		}
		assertThat(HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + worker.httpPort() + "/@amqp-tasks/retry"))
				.POST(HttpRequest.BodyPublishers.noBody())
				.header("Content-Type", "application/json")
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString())
			.statusCode()).isEqualTo(404);
	}

	@Test
	void theWorkerLogsTheTasksItRegistered() {
		assertThat(worker.log()).contains(" tasks are registered: sample.add, sample.echo, sample.fail");
	}

	private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + worker.httpPort() + path))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static TaskInfo run(String task, Object... args) throws InterruptedException {
		TaskHandle handle = fleet.producer().client().enqueue(task, args);
		try {
			return handle.await(TASK_TIMEOUT);
		}
		catch (TimeoutException ex) {
			throw new AssertionError(task + " is not final after " + TASK_TIMEOUT + ": " + handle.info(), ex);
		}
	}

	private static void assertFinished(TaskInfo task) {
		assertThat(task.status()).as("status of %s", task).isEqualTo(TaskStatus.FINISHED);
	}

	private static ExitedProcess runToExit(String... args) throws IOException, InterruptedException {
		Path stdout = Files.createTempFile("worker-stdout", ".txt");
		Path stderr = Files.createTempFile("worker-stderr", ".txt");
		try {
			List<String> command = new ArrayList<>(
					List.of(WorkerProcess.java(), "-jar", WorkerFleet.existingFile("worker.jar").toString()));
			command.addAll(List.of(args));
			Process process = WorkerProcess.processBuilder(command)
				.redirectOutput(stdout.toFile())
				.redirectError(stderr.toFile())
				.start();
			try {
				assertThat(process.waitFor(WorkerProcess.STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
					.as("the worker exits by itself for %s", List.of(args))
					.isTrue();
			}
			finally {
				WorkerProcess.stop(process);
			}
			return new ExitedProcess(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
		}
		finally {
			Files.deleteIfExists(stdout);
			Files.deleteIfExists(stderr);
		}
	}

	private record ExitedProcess(int status, String stdout, String stderr) {

	}

}
