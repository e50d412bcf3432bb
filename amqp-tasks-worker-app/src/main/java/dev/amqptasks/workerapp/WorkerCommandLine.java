package dev.amqptasks.workerapp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The worker's command line: its own options translated into Spring Boot arguments, every
 * other argument passed through unchanged and in order. Parsing never exits the process,
 * so the caller decides what a bad value does.
 *
 * @param helpRequested whether {@code --help} or {@code -h} was given
 * @param versionRequested whether {@code --version} was given
 * @param springArgs the arguments to hand to {@code SpringApplication.run}
 */
public record WorkerCommandLine(boolean helpRequested, boolean versionRequested, List<String> springArgs) {

	private static final String USAGE = """
			Usage: java [-Dloader.path=my-tasks.jar[,more.jar]] -jar amqp-tasks-worker-app-<version>.jar [options]

			Runs the amqp-tasks tasks of the jars on -Dloader.path. A task jar registers its task beans
			through META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports.

			Options (--option=VALUE or --option VALUE):
			  --max-running-tasks N          tasks running at once, 1 to 10000 (default 20);
			                                 also bounds the prefetch
			  --auto-kill-timeout SECONDS    exit with a non-zero status when the worker is stuck for
			                                 that long (default: off)
			  --version                      print the worker's version and exit
			  -h, --help                     print this help and exit

			Any Spring Boot option is accepted as well, for example --server.port=8081,
			--spring.rabbitmq.host=rabbit.internal, --spring.data.redis.host=redis.internal or
			--amqp-tasks.queue=billing (any --amqp-tasks.* property).
			""";

	public WorkerCommandLine {
		springArgs = List.copyOf(springArgs);
	}

	public WorkerCommandLine(boolean helpRequested, List<String> springArgs) {
		this(helpRequested, false, springArgs);
	}

	/**
	 * Parses the worker's arguments.
	 * @param args the command-line arguments
	 * @return the parsed command line
	 * @throws InvalidOptionException if an option lacks its value, is repeated or has an
	 * invalid value
	 */
	public static WorkerCommandLine parse(String... args) {
		// Help wins wherever it appears, so that "--max-running-tasks --help" explains
		// itself.
		for (String arg : args) {
			if (arg.equals("--help") || arg.equals("-h")) {
				return new WorkerCommandLine(true, List.of());
			}
		}
		for (String arg : args) {
			if (arg.equals("--version")) {
				return new WorkerCommandLine(false, true, List.of());
			}
		}
		List<String> springArgs = new ArrayList<>(args.length);
		Set<Option> seen = EnumSet.noneOf(Option.class);
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			Option option = Option.of(arg);
			if (option == null) {
				springArgs.add(arg);
				continue;
			}
			String value;
			if (arg.length() > option.name.length()) {
				value = arg.substring(option.name.length() + 1);
			}
			else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
				value = args[++i];
			}
			else {
				throw new InvalidOptionException(option.name + " needs a value: " + option.expected);
			}
			if (!seen.add(option)) {
				throw new InvalidOptionException(
						option.name + " is given more than once (again as " + quote(value) + ")");
			}
			springArgs.add(option.translate(value));
		}
		return new WorkerCommandLine(false, springArgs);
	}

	/**
	 * The help text printed for {@code --help}.
	 * @return the usage text, ending with a line break
	 */
	public static String usage() {
		return USAGE;
	}

	/**
	 * Quotes a value for an error message, escaping control characters so that the
	 * message stays on one line.
	 */
	private static String quote(String value) {
		StringBuilder quoted = new StringBuilder("'");
		value.codePoints().forEach((c) -> {
			if (Character.isISOControl(c)) {
				quoted.append(String.format("\\u%04x", c));
			}
			else {
				quoted.appendCodePoint(c);
			}
		});
		return quoted.append('\'').toString();
	}

	private enum Option {

		MAX_RUNNING_TASKS("--max-running-tasks", 1, 10000, "a whole number from 1 to 10000",
				(n) -> "--amqp-tasks.worker.max-running-tasks=" + n),

		AUTO_KILL_TIMEOUT("--auto-kill-timeout", 1, Long.MAX_VALUE, "a whole number of seconds, at least 1",
				(n) -> "--amqp-tasks.worker.auto-kill-timeout=" + n + "s");

		private final String name;

		private final long min;

		private final long max;

		private final String expected;

		private final LongFunction<String> springArg;

		Option(String name, long min, long max, String expected, LongFunction<String> springArg) {
			this.name = name;
			this.min = min;
			this.max = max;
			this.expected = expected;
			this.springArg = springArg;
		}

		/**
		 * The option an argument names, in either the {@code --opt} or {@code --opt=V}
		 * form.
		 */
		static Option of(String arg) {
			for (Option option : values()) {
				if (arg.equals(option.name) || arg.startsWith(option.name + "=")) {
					return option;
				}
			}
			return null;
		}

		String translate(String value) {
			return this.springArg.apply(parse(value));
		}

		private long parse(String value) {
			// Only plain digits: "+5", "5.0", "1e3" and "5s" are refused rather than
			// guessed at.
			if (!value.isEmpty() && value.chars().allMatch((c) -> c >= '0' && c <= '9')) {
				try {
					long number = Long.parseLong(value);
					if (number >= this.min && number <= this.max) {
						return number;
					}
				}
				catch (NumberFormatException ex) {
					// Too many digits for a long: out of range like any other too-large
					// number.
				}
			}
			throw new InvalidOptionException(
					"invalid value " + quote(value) + " for " + this.name + ": expected " + this.expected);
		}

	}

	/**
	 * Thrown for a worker option that lacks its value, is repeated or has an invalid
	 * value. The message names the option and the value and fits on one line.
	 */
	public static final class InvalidOptionException extends IllegalArgumentException {

		InvalidOptionException(String message) {
			super(message);
		}

	}

}
