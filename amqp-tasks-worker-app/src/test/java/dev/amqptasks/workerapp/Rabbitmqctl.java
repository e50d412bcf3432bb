package dev.amqptasks.workerapp;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code rabbitmqctl} against the local broker (the tests run as root on the project's
 * machines, so it can reach the node).
 */
final class Rabbitmqctl {

	private static final Duration TIMEOUT = Duration.ofSeconds(180);

	private final Path executable;

	private Rabbitmqctl(Path executable) {
		this.executable = executable;
	}

	/**
	 * Finds {@code rabbitmqctl} on the {@code PATH}.
	 * @return it, or empty if it is not there
	 */
	static Optional<Rabbitmqctl> find() {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		for (String dir : path.split(File.pathSeparator)) {
			Path candidate = Path.of(dir, "rabbitmqctl");
			if (!dir.isEmpty() && Files.isExecutable(candidate)) {
				return Optional.of(new Rabbitmqctl(candidate));
			}
		}
		return Optional.empty();
	}

	/**
	 * Runs a command and waits for it.
	 * @param args the command and its arguments, e.g. {@code stop_app}
	 * @return its output
	 * @throws IllegalStateException if it fails or takes too long
	 */
	String run(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(this.executable.toString()));
		command.addAll(List.of(args));
		Path output = Files.createTempFile("rabbitmqctl", ".txt");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(command + " did not end within " + TIMEOUT + ": "
						+ Files.readString(output, StandardCharsets.UTF_8));
			}
			String text = Files.readString(output, StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				throw new IllegalStateException(command + " exited with status " + process.exitValue() + ": " + text);
			}
			return text;
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

}
