package dev.amqptasks.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * CPU time used so far by the local RabbitMQ and Redis processes (zero when they cannot
 * be seen: not Linux, or not local), so that a workload can say where its CPU went. The
 * services are shared: whatever else uses them at the same time is counted too.
 */
final class ServiceCpu {

	private ServiceCpu() {
	}

	static Duration rabbitmq() {
		return total((commandLine) -> commandLine.contains("beam.smp") && commandLine.contains("rabbit"));
	}

	static Duration redis() {
		return total((commandLine) -> commandLine.startsWith("redis-server") || commandLine.contains("/redis-server"));
	}

	private static Duration total(Predicate<String> commandLine) {
		return ProcessHandle.allProcesses()
			.filter((process) -> commandLine.test(commandLine(process.pid())))
			.map((process) -> process.info().totalCpuDuration().orElse(Duration.ZERO))
			.reduce(Duration.ZERO, Duration::plus);
	}

	private static String commandLine(long pid) {
		try {
			byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
			return new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ');
		}
		catch (IOException | RuntimeException ex) {
			return "";
		}
	}

}
