package dev.amqptasks.e2e;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.amqptasks.TaskError;
import dev.amqptasks.TaskStatus;
import dev.amqptasks.spi.NewTask;
import dev.amqptasks.spi.TaskCounts;
import dev.amqptasks.spi.TaskRegistry;
import dev.amqptasks.test.LocalServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Measures what the dashboard asks for with 100,000 tasks in a Redis registry: the stats
 * and the first page of the task list, over real HTTP. It prints the figures and asserts
 * no timing (the machine is shared); it only checks that the counts are right. Run on
 * demand with {@code -Damqp-tasks.measure=true}.
 */
@SpringBootTest(classes = EndToEndTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@EnabledIfSystemProperty(named = "amqp-tasks.measure", matches = "true")
class DashboardScaleMeasurement {

	/**
	 * How many tasks to store; {@code -Damqp-tasks.measure.tasks=1000} gives a baseline.
	 */
	private static final int TASKS = Integer.getInteger("amqp-tasks.measure.tasks", 100_000);

	private static final int WARM_UP = 20;

	private static final int REQUESTS = 50;

	private static final String[] NAMES = { "report.render", "mail.send", "invoice.close", "image.resize",
			"search.reindex" };

	/**
	 * Times 50 of the page's refreshes, each asking for the stats, the workers and a page
	 * at once.
	 */
	private static final String REFRESHES = """
			const done = arguments[arguments.length - 1];
			const paths = [document.body.dataset.stats, document.body.dataset.workers,
				document.body.dataset.tasks + '?limit=25'];
			const once = () => Promise.all(paths.map((path) => fetch(path).then((response) => response.json())));
			(async () => {
				const millis = [];
				for (let i = 0; i < 50; i++) {
					const start = performance.now();
					await once();
					millis.push(performance.now() - start);
				}
				millis.sort((a, b) => a - b);
				done([millis[24], millis[49]]);
			})();
			""";

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		EndToEndTestApplication.properties(registry, LocalServices.uniqueName("measure"),
				LocalServices.uniqueName("measure"));
		registry.add("spring.autoconfigure.exclude", () -> EndToEndTestApplication.SECURITY_AUTO_CONFIGURATIONS);
		registry.add("amqp-tasks.http.enabled", () -> "true");
	}

	@LocalServerPort
	private int port;

	@Autowired
	private TaskRegistry registry;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void theStatsAndTheFirstPageStayCheapWithOneHundredThousandTasks() throws Exception {
		long filling = System.nanoTime();
		fill();
		System.out.printf(Locale.ROOT, "Stored %,d tasks in %.1f s%n", TASKS, (System.nanoTime() - filling) / 1e9);
		TaskCounts counts = this.registry.counts();
		assertThat(counts.total()).isEqualTo(TASKS);
		assertThat(counts.byName()).hasSize(NAMES.length);

		measure("registry counts() (one Lua script)", () -> this.registry.counts());
		measure("GET /@amqp-stats", () -> get("/@amqp-stats"));
		measure("GET /@amqp-tasks?limit=25 (the dashboard's first page)", () -> get("/@amqp-tasks?limit=25"));
		measure("GET /@amqp-tasks?limit=50", () -> get("/@amqp-tasks?limit=50"));
		measure("GET /@amqp-tasks?limit=25&status=errored", () -> get("/@amqp-tasks?limit=25&status=errored"));
		measure("GET /@amqp-tasks?limit=25&status=running&name=mail.send",
				() -> get("/@amqp-tasks?limit=25&status=running&name=mail.send"));
		measure("GET /@amqp-workers", () -> get("/@amqp-workers"));
		measureInTheBrowser();
	}

	/**
	 * How long the page takes, in headless Chromium, from being asked for to showing its
	 * first data, and how long each of its refreshes takes (stats, workers and the first
	 * page at once).
	 */
	private void measureInTheBrowser() throws Exception {
		if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) {
			System.out.println("No /usr/bin/chromium: the page itself is not measured");
			return;
		}
		WebDriver browser = HeadlessChromium.start(Files.createTempDirectory("amqp-tasks-measure"));
		try {
			JavascriptExecutor script = (JavascriptExecutor) browser;
			double[] loads = new double[10];
			for (int i = 0; i < loads.length; i++) {
				long start = System.nanoTime();
				browser.get("http://127.0.0.1:" + this.port + "/@amqp-dashboard");
				await().atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(5))
					.until(() -> script.executeScript("return document.body.dataset.refreshed || null;") != null);
				loads[i] = (System.nanoTime() - start) / 1e6;
			}
			Arrays.sort(loads);
			System.out.printf(Locale.ROOT, "%-62s p50 %6.2f ms  max %6.2f ms  (%d loads)%n",
					"page load to first data in Chromium", percentile(loads, 50), loads[loads.length - 1],
					loads.length);
			Object rows = script.executeScript("return document.querySelectorAll('#tasks tbody tr').length;");
			String total = browser.findElement(By.cssSelector("#counts li .count")).getText();
			System.out.println("The page shows " + rows + " rows and a total of " + total + " tasks");
			List<?> refresh = (List<?>) script.executeAsyncScript(REFRESHES);
			System.out.printf(Locale.ROOT, "%-62s p50 %6.2f ms  max %6.2f ms  (50 refreshes)%n",
					"one refresh of the page (3 requests at once, from Chromium)",
					((Number) refresh.get(0)).doubleValue(), ((Number) refresh.get(1)).doubleValue());
		}
		finally {
			browser.quit();
		}
	}

	/** Tasks over five names, most scheduled, 3% running, finished or errored. */
	private void fill() {
		List<NewTask> batch = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < TASKS; i++) {
			String id = UUID.randomUUID().toString();
			ids.add(id);
			batch.add(new NewTask(id, NAMES[i % NAMES.length], "[" + i + "]", "{}", 3));
			if (batch.size() == 1000 || i == TASKS - 1) {
				this.registry.createAll(batch);
				batch.clear();
			}
		}
		for (int i = 0; i < TASKS / 33; i++) {
			String id = ids.get(i * 31);
			NewTask task = new NewTask(id, NAMES[(i * 31) % NAMES.length], "[]", "{}", 3);
			this.registry.start(new TaskRegistry.StartRequest(task, id), "measure-worker", Duration.ofMinutes(10));
			if (i % 3 == 1) {
				this.registry.finish(id, id, "\"done\"");
			}
			else if (i % 3 == 2) {
				this.registry.fail(id, id, new TaskError("java.lang.IllegalStateException", "failed"));
			}
		}
	}

	private String get(String path) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	private static void measure(String what, Measured measured) throws Exception {
		for (int i = 0; i < WARM_UP; i++) {
			measured.run();
		}
		double[] millis = new double[REQUESTS];
		for (int i = 0; i < REQUESTS; i++) {
			long start = System.nanoTime();
			measured.run();
			millis[i] = (System.nanoTime() - start) / 1e6;
		}
		Arrays.sort(millis);
		System.out.printf(Locale.ROOT, "%-62s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d requests)%n", what,
				percentile(millis, 50), percentile(millis, 99), millis[millis.length - 1], REQUESTS);
	}

	/** The nearest-rank percentile. */
	private static double percentile(double[] sorted, int percent) {
		int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
		return sorted[Math.max(0, rank - 1)];
	}

	@FunctionalInterface
	private interface Measured {

		Object run() throws Exception;

	}

}
