package dev.amqptasks.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The header of the benchmark's output: the run, the machine, the JDK, the services and
 * the settings.
 */
final class Header {

	private Header() {
	}

	static void print(Settings settings, String runId, Broker broker, Registry registry) {
		List<String> lines = new ArrayList<>();
		lines.add("amqp-tasks benchmark (docs/performance.md), run id " + runId);
		lines.add("date:      " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
		lines.add("machine:   " + Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), "
				+ memory() + " memory");
		lines.add("load:      " + uptime());
		lines
			.add("jdk:       " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
					+ " (" + System.getProperty("java.home") + "); worker java " + settings.java());
		lines.add("services:  " + broker.version() + " at " + settings.rabbitHost() + ":" + settings.rabbitPort() + ", "
				+ registry.version() + " at " + settings.redisHost() + ":" + settings.redisPort());
		lines.add("settings:  RUNS=" + settings.runs() + " N=" + settings.n() + " W2_N=" + settings.w2N() + " W3_N="
				+ settings.w3N() + " L1_N=" + settings.l1N() + " PRODUCER_THREADS=" + settings.producerThreads()
				+ " BULK_SIZE=" + settings.bulkSize() + " RAW_SECONDS=" + settings.rawSeconds() + " W3_RATE="
				+ settings.w3Rate() + " WARMUP=" + settings.warmup() + " WORKLOADS="
				+ String.join(",", settings.workloads()));
		lines
			.add("worker:    " + settings.workerJar() + " with -Dloader.path=" + settings.tasksJar()
					+ (settings.workerJavaOptions().isEmpty() ? ""
							: " and " + String.join(" ", settings.workerJavaOptions()))
					+ "; logs in " + settings.logDir());
		lines.forEach(System.out::println);
		System.out.println();
		System.out.flush();
	}

	private static String cpuModel() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.startsWith("model name")) {
					return line.substring(line.indexOf(':') + 1).trim();
				}
			}
		}
		catch (IOException ex) {
			// not Linux
		}
		return "unknown CPU";
	}

	private static String memory() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
				if (line.startsWith("MemTotal:")) {
					long kilobytes = Long.parseLong(line.replaceAll("[^0-9]", ""));
					return String.format(Locale.ROOT, "%.1f GiB", kilobytes / 1024.0 / 1024.0);
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// not Linux
		}
		return "unknown";
	}

	private static String uptime() {
		try {
			Process process = new ProcessBuilder("uptime").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (process.waitFor(5, TimeUnit.SECONDS) && !output.isEmpty()) {
				return output;
			}
		}
		catch (IOException ex) {
			// fall back to /proc/loadavg
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			return "load average " + Files.readString(Path.of("/proc/loadavg")).trim();
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

}
