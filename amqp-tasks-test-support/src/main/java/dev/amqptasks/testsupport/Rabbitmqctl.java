package dev.amqptasks.testsupport;

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
 * Runs {@code rabbitmqctl} against the local broker: {@link #run(String...)} for commands
 * that must succeed (the worker app's ITs run as root on the project's machines, so it
 * can reach the node), {@link #list(String, String)} for a listing that never fails (the
 * benchmark's final sweep of a run's queues and exchanges).
 */
public final class Rabbitmqctl {

	private static final Duration TIMEOUT = Duration.ofSeconds(180);

	private static final Duration LIST_TIMEOUT = Duration.ofSeconds(30);

	/** Where it usually is when the {@code PATH} (of a user who is not root) lacks it. */
	private static final List<String> SBIN = List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/sbin");

	private final Path executable;

	private Rabbitmqctl(Path executable) {
		this.executable = executable;
	}

	/**
	 * Finds {@code rabbitmqctl} on the {@code PATH}, else in the usual {@code sbin}
	 * directories.
	 * @return it, or empty if it is not there
	 */
	public static Optional<Rabbitmqctl> find() {
		List<String> dirs = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			dirs.addAll(List.of(path.split(File.pathSeparator)));
		}
		dirs.addAll(SBIN);
		for (String dir : dirs) {
			Path candidate = Path.of(dir, "rabbitmqctl");
			if (!dir.isEmpty() && Files.isExecutable(candidate)) {
				return Optional.of(new Rabbitmqctl(candidate));
			}
		}
		return Optional.empty();
	}

	/**
	 * Lists the names that {@code rabbitmqctl -q <command> name} prints and that start
	 * with the prefix. Never fails: without rabbitmqctl, or if it may not be run here,
	 * fails or takes over 30 s, the list is empty.
	 * @param command for example {@code list_queues} or {@code list_exchanges}
	 * @param prefix what the names must start with
	 * @return the names, in the order printed
	 */
	public static List<String> list(String command, String prefix) {
		List<String> names = new ArrayList<>();
		Optional<Rabbitmqctl> rabbitmqctl = find();
		if (rabbitmqctl.isEmpty()) {
			return names;
		}
		try {
			Process process = new ProcessBuilder(rabbitmqctl.get().executable.toString(), "-q", command, "name")
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(LIST_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
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
			// not allowed or not installed: nothing to list
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return names;
	}

	/**
	 * Runs a command and waits for it.
	 * @param args the command and its arguments, e.g. {@code stop_app}
	 * @return its output
	 * @throws IOException if it cannot be run
	 * @throws InterruptedException if interrupted while waiting
	 * @throws IllegalStateException if it fails or takes too long
	 */
	public String run(String... args) throws IOException, InterruptedException {
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
