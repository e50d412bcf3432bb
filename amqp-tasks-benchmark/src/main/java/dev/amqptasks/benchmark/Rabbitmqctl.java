package dev.amqptasks.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lists names with {@code rabbitmqctl} when it can be run here (the broker is local and the
 * user may run it), for the final sweep of a run's queues and exchanges. Never fails: without
 * rabbitmqctl the list is empty.
 */
final class Rabbitmqctl {

	private Rabbitmqctl() {
	}

	static List<String> list(String command, String prefix) {
		List<String> names = new ArrayList<>();
		Path rabbitmqctl = find();
		if (rabbitmqctl == null) {
			return names;
		}
		try {
			Process process = new ProcessBuilder(rabbitmqctl.toString(), "-q", command, "name")
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				return names;
			}
			for (String line : output.split("\\R")) {
				String name = line.trim();
				if (name.startsWith(prefix)) {
					names.add(name);
				}
			}
		}
		catch (IOException ex) {
			// not allowed or not installed: nothing to sweep
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return names;
	}

	private static Path find() {
		for (String dir : List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/sbin")) {
			Path candidate = Path.of(dir, "rabbitmqctl");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

}
