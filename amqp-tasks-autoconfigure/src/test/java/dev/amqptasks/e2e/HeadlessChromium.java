package dev.amqptasks.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Debian's headless Chromium, driven through the system's chromedriver: Selenium is given
 * both paths, so that it never downloads a browser or a driver.
 */
final class HeadlessChromium {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private HeadlessChromium() {
	}

	/**
	 * Skips the calling tests when the browser is not installed, unless they run under CI
	 * ({@code CI} set), where a missing browser fails them.
	 */
	static void requireInstalled() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		String missing = "Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
				+ ") are needed for the dashboard's browser tests: apt-get install chromium chromium-driver";
		if (!installed && System.getenv("CI") != null) {
			fail(missing);
		}
		assumeThat(installed).as(missing + " (skipped outside CI)").isTrue();
	}

	/**
	 * Starts the browser.
	 * @param profile an empty directory for the browser's profile
	 * @return the driver; quit it when done
	 */
	static WebDriver start(Path profile) {
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		// Headless as root, and quiet: without the background-networking flags Chromium
		// keeps
		// trying to reach the internet.
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1440,1500",
				"--force-device-scale-factor=1", "--lang=en-US");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

}
