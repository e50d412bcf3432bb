package dev.amqptasks.workerapp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import sun.misc.Signal;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The standalone amqp-tasks worker. It has no tasks of its own: it runs those of the jars
 * given with {@code -Dloader.path} (the jar uses Boot's {@code PropertiesLauncher}), each
 * of which registers its task beans through an auto-configuration listed in
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}.
 * <p>
 * Besides any Spring Boot option it understands {@code --max-running-tasks},
 * {@code --auto-kill-timeout}, {@code --version} and {@code --help}; see
 * {@link WorkerCommandLine}.
 */
@SpringBootApplication
public class WorkerApplication {

	/** Exit status for a bad command line, as usual for command-line tools. */
	static final int USAGE_ERROR = 2;

	public static void main(String[] args) {
		WorkerCommandLine commandLine;
		try {
			commandLine = WorkerCommandLine.parse(args);
		}
		catch (WorkerCommandLine.InvalidOptionException ex) {
			// One line and no stack trace: the message already names the option and the
			// value.
			System.err.println("amqp-tasks-worker: " + ex.getMessage() + " (see --help)");
			System.exit(USAGE_ERROR);
			return;
		}
		if (commandLine.helpRequested()) {
			System.out.print(WorkerCommandLine.usage());
			return;
		}
		if (commandLine.versionRequested()) {
			System.out.println(version());
			return;
		}
		exitZeroOnTerm();
		SpringApplication.run(WorkerApplication.class, commandLine.springArgs().toArray(String[]::new));
	}

	/**
	 * The worker's version, from the build information the build puts in the jar (the
	 * same that {@code /actuator/info} shows).
	 * @return one line, such as
	 * {@code amqp-tasks-worker 0.1.0 (built 2026-12-01T10:00:00Z)}
	 */
	static String version() {
		Properties build = new Properties();
		try (InputStream in = WorkerApplication.class.getResourceAsStream("/META-INF/build-info.properties")) {
			if (in != null) {
				build.load(in);
			}
		}
		catch (IOException ex) {
			// Reported as unknown below.
		}
		String version = build.getProperty("build.version",
				WorkerApplication.class.getPackage().getImplementationVersion());
		String time = build.getProperty("build.time");
		return "amqp-tasks-worker " + ((version != null) ? version : "(version unknown)")
				+ ((time != null) ? " (built " + time + ")" : "");
	}

	/**
	 * SIGTERM is how supervisors ask a worker to stop: an orderly stop, so it exits with
	 * 0 rather than the JVM's 143. The exit runs the shutdown hook that closes the
	 * application, and with it the worker's graceful shutdown (running tasks finish
	 * within the grace period, the rest go back to the queue).
	 */
	private static void exitZeroOnTerm() {
		try {
			Signal.handle(new Signal("TERM"),
					(signal) -> new Thread(() -> System.exit(0), "amqp-tasks-sigterm").start());
		}
		catch (IllegalArgumentException ex) {
			// No SIGTERM on this platform: the JVM's default handling stays.
		}
	}

}
