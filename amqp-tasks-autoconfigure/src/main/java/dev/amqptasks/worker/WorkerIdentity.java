package dev.amqptasks.worker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.UUID;

/**
 * Who this worker process is, as shown in task views, health and queue names.
 *
 * @param id unique per process start: {@code <host>-<pid>-<random>}
 * @param host the host name
 * @param pid the process id
 * @param startedAt when the worker was created
 */
public record WorkerIdentity(String id, String host, long pid, Instant startedAt) {

	/**
	 * The identity of this process.
	 * @param now the start time
	 * @return the identity
	 */
	public static WorkerIdentity ofThisProcess(Instant now) {
		String host = hostName();
		long pid = ProcessHandle.current().pid();
		String random = UUID.randomUUID().toString().substring(0, 6);
		return new WorkerIdentity(host + "-" + pid + "-" + random, host, pid, now);
	}

	private static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "unknown-host";
		}
	}

}
