package dev.amqptasks.e2e;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import dev.amqptasks.EnqueueOptions;
import dev.amqptasks.TaskClient;
import dev.amqptasks.TaskHandle;
import dev.amqptasks.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through the
 * system's chromedriver (nothing downloads a browser). Real tasks run on the real broker
 * and registry while the page, loaded once, follows them by itself.
 */
class DashboardBrowserTests extends SecuredEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Set to {@code update} to replace the README's screenshot, which is kept once it
	 * exists.
	 */
	private static final String SCREENSHOT_PROPERTY = "amqp-tasks.dashboard.screenshot";

	private static WebDriver browser;

	@Autowired
	private TaskClient tasks;

	@BeforeAll
	static void startBrowser(@TempDir Path profile) {
		HeadlessChromium.requireInstalled();
		browser = HeadlessChromium.start(profile);
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@BeforeEach
	void signIn() {
		if (browser.getCurrentUrl().startsWith("http")) {
			browser.manage().deleteAllCookies();
		}
		browser.get(url(DASHBOARD));
		assertThat(path()).isEqualTo(DASHBOARD + "/login");
		browser.findElement(By.name("username")).sendKeys("operator");
		browser.findElement(By.name("password")).sendKeys("operator-password");
		browser.findElement(By.cssSelector("button[type=submit]")).click();
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(path()).as(() -> "the page after signing in: " + browser.getPageSource())
				.isEqualTo(DASHBOARD));
		awaitRefresh();
		assertThat(browser.findElement(By.id("user-name")).getText()).isEqualTo("operator");
	}

	@Test
	void aTaskIsSeenGoingFromRunningToFinishedWithoutAReload() {
		markPage();
		TaskHandle task = this.tasks.enqueue("test.sleep", List.of(3), Map.of());

		await().atMost(TIMEOUT).until(() -> statusOnPage(task.id()), "running"::equals);
		await().atMost(TIMEOUT).until(() -> statusOnPage(task.id()), "finished"::equals);

		assertThat(pageWasNotReloaded()).isTrue();
		assertThat(task.status()).isEqualTo(TaskStatus.FINISHED);
	}

	@Test
	void aRunningTaskIsCanceledWithItsButton() {
		markPage();
		TaskHandle task = this.tasks.enqueue("test.sleep", List.of(60), Map.of());
		await().atMost(TIMEOUT).until(() -> statusOnPage(task.id()), "running"::equals);

		openDetail(task.id());
		WebElement cancel = browser.findElement(By.id("cancel"));
		assertThat(cancel.isDisplayed()).isTrue();
		cancel.click();

		await().atMost(TIMEOUT).until(() -> statusOnPage(task.id()), "canceled"::equals);
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(browser.findElement(By.cssSelector("#detail [data-field=status]")))
				.extracting(WebElement::getText)
				.isEqualTo("canceled"));
		assertThat(browser.findElement(By.id("cancel")).isDisplayed()).isFalse();
		assertThat(browser.findElement(By.id("retry")).isDisplayed()).isTrue();
		assertThat(task.status()).isEqualTo(TaskStatus.CANCELED);
		assertThat(pageWasNotReloaded()).isTrue();
	}

	@Test
	void aTaskWithProgressShowsItsProgressBarAndEventLog() {
		TaskHandle task = this.tasks.enqueue("test.steps", List.of(40, 0.5), Map.of());
		await().atMost(TIMEOUT).until(() -> statusOnPage(task.id()), "running"::equals);

		openDetail(task.id());

		await().atMost(TIMEOUT).untilAsserted(() -> {
			assertThat(browser.findElement(By.id("detail-progress")).isDisplayed()).isTrue();
			assertThat(progressOnPage()).isGreaterThan(0);
			assertThat(browser.findElement(By.id("detail-log")).getText()).contains("step 1 of 40");
		});
		assertThat(browser.findElement(By.id("detail-args")).getText()).contains("40", "0.5");
		task.cancel();
	}

	@Test
	void signingOutEndsTheSession() {
		browser.findElement(By.cssSelector("#sign-out button[type=submit]")).click();

		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(path()).as(() -> "after signing out: " + browser.getPageSource())
				.isEqualTo(DASHBOARD + "/login"));
		assertThat(browser.findElement(By.cssSelector(".login-message")).getText()).isEqualTo("You are signed out.");
		browser.get(url(DASHBOARD));
		assertThat(path()).isEqualTo(DASHBOARD + "/login");
	}

	@Test
	void aScreenshotOfTheDashboardIsTakenAndIsNotBlank() throws Exception {
		TaskHandle finished = this.tasks.enqueue("test.add", 2, 3);
		TaskHandle errored = this.tasks.enqueue("test.fail", "the disk is full");
		this.tasks.enqueue("test.echo", List.of(Map.of("report", "monthly")), Map.of(),
				EnqueueOptions.withDelay(Duration.ofSeconds(60)));
		this.tasks.enqueue("test.progress", 5);
		TaskHandle running = this.tasks.enqueue("test.steps", List.of(40, 0.5), Map.of());
		await().atMost(TIMEOUT)
			.until(() -> finished.status() == TaskStatus.FINISHED && errored.status() == TaskStatus.ERRORED
					&& running.status() == TaskStatus.RUNNING);
		await().atMost(TIMEOUT).until(() -> statusOnPage(running.id()), "running"::equals);
		openDetail(running.id());
		await().atMost(TIMEOUT).until(() -> progressOnPage() >= 0.2);

		byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
		running.cancel();

		BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
		assertThat(image).as("a PNG image").isNotNull();
		assertThat(image.getWidth()).isGreaterThan(800);
		assertThat(image.getHeight()).isGreaterThan(600);
		assertThat(distinctColours(image)).as("distinct colours in the screenshot").isGreaterThan(16);
		save(png);
	}

	private static String path() {
		return URI.create(browser.getCurrentUrl()).getPath();
	}

	private static void awaitRefresh() {
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(browser.findElement(By.tagName("body")).getDomAttribute("data-refreshed"))
				.isNotBlank());
	}

	/** Marks the loaded page, so that a test can tell it was never loaded again. */
	private static void markPage() {
		((JavascriptExecutor) browser).executeScript("window.amqpTasksTestMark = 'still the same page';");
	}

	private static boolean pageWasNotReloaded() {
		Object mark = ((JavascriptExecutor) browser).executeScript("return window.amqpTasksTestMark;");
		return "still the same page".equals(mark);
	}

	private static double progressOnPage() {
		return Double.parseDouble(browser.findElement(By.id("detail-progress-bar")).getDomProperty("value"));
	}

	private static String statusOnPage(String id) {
		try {
			List<WebElement> status = browser
				.findElements(By.cssSelector("#tasks tr[data-task-id='" + id + "'] [data-field=status]"));
			return status.isEmpty() ? null : status.get(0).getText();
		}
		catch (StaleElementReferenceException ex) {
			// The page redrew the row while it was being read: read it on the next poll.
			return null;
		}
	}

	private static void openDetail(String id) {
		browser.findElement(By.cssSelector("#tasks tr[data-task-id='" + id + "'] button[data-action=open]")).click();
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(browser.findElement(By.id("detail-id")).getText()).isEqualTo(id));
	}

	private static int distinctColours(BufferedImage image) {
		Set<Integer> colours = new HashSet<>();
		for (int y = 0; y < image.getHeight(); y += 3) {
			for (int x = 0; x < image.getWidth(); x += 3) {
				colours.add(image.getRGB(x, y));
			}
		}
		return colours.size();
	}

	/**
	 * Keeps the screenshot in {@code target}, and as the README's
	 * {@code docs/dashboard.png} when that does not exist yet or when asked to replace it
	 * (every run shows other ids and times, so replacing it on every build would only
	 * churn the repository).
	 */
	private static void save(byte[] png) throws IOException {
		Path target = Path.of("target", "dashboard.png");
		Files.createDirectories(target.getParent());
		Files.write(target, png);
		Path readme = repositoryRoot().resolve("docs").resolve("dashboard.png");
		if (!Files.exists(readme) || "update".equals(System.getProperty(SCREENSHOT_PROPERTY))) {
			Files.createDirectories(readme.getParent());
			Files.write(readme, png);
		}
	}

	private static Path repositoryRoot() {
		Path directory = Path.of("").toAbsolutePath();
		while (directory != null && !Files.exists(directory.resolve("mvnw"))) {
			directory = directory.getParent();
		}
		if (directory == null) {
			throw new IllegalStateException("Not inside the repository: no mvnw above " + Path.of("").toAbsolutePath());
		}
		return directory;
	}

}
