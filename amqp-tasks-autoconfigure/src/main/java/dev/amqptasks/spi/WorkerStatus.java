package dev.amqptasks.spi;

import java.time.Instant;

/**
 * What a worker reports about itself.
 *
 * @param id the worker id
 * @param host the host name
 * @param pid the process id
 * @param startedAt when the worker started
 * @param lastBeacon when its beacon last came back, or {@code null} before the first
 * @param runningTasks tasks running now
 * @param maxRunningTasks tasks it runs at most at once
 * @param status {@code UP}, or {@code DOWN} when its beacon is overdue
 */
public record WorkerStatus(String id, String host, long pid, Instant startedAt, Instant lastBeacon, int runningTasks,
		int maxRunningTasks, String status) {
}
