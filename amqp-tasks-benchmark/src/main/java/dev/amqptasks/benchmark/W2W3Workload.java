package dev.amqptasks.benchmark;

import java.util.Map;

import dev.amqptasks.TaskClient;
import dev.amqptasks.testsupport.WorkerProcess;

/**
 * W2 (makespan of one-second tasks against the worker's concurrency) and W3 (latency of
 * no-op tasks enqueued at a steady rate).
 */
final class W2W3Workload {

	static final double W2_TASK_SECONDS = 1.0;

	private final Benchmark benchmark;

	private final Settings settings;

	private final Broker broker;

	private final Registry registry;

	private final Enqueuing enqueuing;

	W2W3Workload(Benchmark benchmark) {
		this.benchmark = benchmark;
		this.settings = benchmark.settings();
		this.broker = benchmark.broker();
		this.registry = benchmark.registry();
		this.enqueuing = new Enqueuing(this.settings);
	}

	/**
	 * W2 then W3. Their two workers boot at the same time, and their producers meanwhile:
	 * JVM start-up is most of these workloads' wall time and is not measured. W3's worker
	 * idles while W2 is measured.
	 */
	void run(int run) throws Exception {
		boolean w2 = this.settings.runs("W2");
		boolean w3 = this.settings.runs("W3");
		if (!w2 && !w3) {
			return;
		}
		Names names2 = w2 ? this.benchmark.names("w2", run) : null;
		Names names3 = w3 ? this.benchmark.names("w3", run) : null;
		try {
			WorkerProcess worker2 = w2 ? this.benchmark.open(names2,
					this.benchmark.startWorker(names2, this.settings.w2MaxRunningTasks(), "w2-r" + run)) : null;
			WorkerProcess worker3 = w3
					? this.benchmark.open(names3, this.benchmark.startWorker(names3, 0, "w3-r" + run)) : null;
			Benchmark.progress(
					"W2/W3 run " + run + ": starting worker(s) " + ((worker2 != null) ? "pid " + worker2.pid() : "")
							+ ((worker3 != null) ? " pid " + worker3.pid() : "") + " and producer(s)");
			Producer producer2 = w2 ? this.benchmark.open(names2, Producer.start(this.settings, names2, false)) : null;
			Producer producer3 = w3 ? this.benchmark.open(names3, Producer.start(this.settings, names3, false)) : null;
			if (w2) {
				Benchmark.awaitConsuming(worker2, this.broker, names2.queue(), this.benchmark.timeout());
			}
			if (w3) {
				Benchmark.awaitConsuming(worker3, this.broker, names3.queue(), this.benchmark.timeout());
			}
			if (w2) {
				w2(run, names2, producer2, worker2);
				this.benchmark.release(names2);
			}
			if (w3) {
				w3(run, names3, producer3, worker3);
			}
		}
		finally {
			if (names2 != null) {
				this.benchmark.release(names2);
			}
			if (names3 != null) {
				this.benchmark.release(names3);
			}
		}
	}

	private void w2(int run, Names names, Producer producer, WorkerProcess worker) throws Exception {
		int n = this.settings.w2N();
		int max = this.settings.w2MaxRunningTasks();
		int warmup = this.settings.warmup();
		TaskClient client = producer.client();
		warmUp(client, names, worker, warmup, "W2 run " + run);
		Benchmark
			.progress("W2 run " + run + ": " + n + " tasks of " + W2_TASK_SECONDS + " s, max-running-tasks=" + max);
		Enqueuing.Enqueued batch = this.enqueuing.enqueueAll(client, n, Benchmark.SLEEP, W2_TASK_SECONDS);
		this.registry.awaitFinished(names.keyPrefix(), (long) warmup + n, this.benchmark.timeout(), worker::checkAlive);
		long[][] finished = this.registry.times(names.keyPrefix(), batch.ids(), "startedAt", "finishedAt");
		double makespan = (Timestamps.latest(finished, 1) - batch.firstEnqueueMillis()) / 1000.0;
		Map<String, Object> line = Results.line("W2", run);
		line.put("makespan_s", Stats.round(makespan, 3));
		line.put("worker_peak_rss_mb", Stats.round(worker.peakRssMb(), 1));
		line.put("n", n);
		line.put("task_s", W2_TASK_SECONDS);
		line.put("max_running_tasks", max);
		line.put("ideal_s", Stats.round(Math.ceil((double) n / max) * W2_TASK_SECONDS, 3));
		line.put("timed_from", "first enqueue");
		double fromFirstStart = (Timestamps.latest(finished, 1) - Timestamps.earliest(finished, 0)) / 1000.0;
		line.put("makespan_from_first_start_s", Stats.round(fromFirstStart, 3));
		line.put("enqueue_s", Stats.round(batch.seconds(), 3));
		line.put("producer_threads", this.settings.producerThreads());
		line.put("bulk_size", this.settings.bulkSize());
		line.put("warmup_tasks", warmup);
		this.benchmark.results().report(line);
	}

	private void w3(int run, Names names, Producer producer, WorkerProcess worker) throws Exception {
		int n = this.settings.w3N();
		int rate = this.settings.w3Rate();
		int warmup = this.settings.warmup();
		TaskClient client = producer.client();
		warmUp(client, names, worker, warmup, "W3 run " + run);
		Benchmark.progress("W3 run " + run + ": " + n + " no-op tasks at " + rate + "/s");
		Enqueuing.Steady steady = this.enqueuing.enqueueSteadily(client, n, rate);
		this.registry.awaitFinished(names.keyPrefix(), (long) warmup + n, this.benchmark.timeout(), worker::checkAlive);
		long[][] times = this.registry.times(names.keyPrefix(), steady.ids(), "createdAt", "startedAt", "finishedAt");
		double[] start = new double[n];
		double[] finish = new double[n];
		for (int i = 0; i < n; i++) {
			start[i] = times[i][1] - times[i][0];
			finish[i] = times[i][2] - times[i][0];
		}
		Map<String, Object> line = Results.line("W3", run);
		line.put("start_p50_ms", Stats.round(Stats.percentile(start, 50), 2));
		line.put("start_p99_ms", Stats.round(Stats.percentile(start, 99), 2));
		line.put("finish_p50_ms", Stats.round(Stats.percentile(finish, 50), 2));
		line.put("finish_p99_ms", Stats.round(Stats.percentile(finish, 99), 2));
		line.put("start_max_ms", Stats.round(Stats.percentile(start, 100), 2));
		line.put("finish_max_ms", Stats.round(Stats.percentile(finish, 100), 2));
		line.put("enqueue_call_p50_ms", Stats.round(Stats.percentile(steady.callMillis(), 50), 3));
		line.put("enqueue_call_p99_ms", Stats.round(Stats.percentile(steady.callMillis(), 99), 3));
		line.put("n", n);
		line.put("rate_per_s", rate);
		line.put("achieved_rate_per_s", Stats.round(steady.achievedRate(), 1));
		line.put("timed_from", "registry createdAt (1 ms resolution)");
		line.put("max_running_tasks", "default");
		line.put("warmup_tasks", warmup);
		this.benchmark.results().report(line);
	}

	/**
	 * Runs no-op tasks through a fresh worker so that its JIT is warm before a
	 * measurement.
	 */
	private void warmUp(TaskClient client, Names names, WorkerProcess worker, int tasks, String what)
			throws InterruptedException {
		if (tasks == 0) {
			return;
		}
		Benchmark.progress(what + ": warming the worker up with " + tasks + " no-op tasks");
		this.enqueuing.enqueueAll(client, tasks, Benchmark.NOOP);
		this.registry.awaitFinished(names.keyPrefix(), tasks, this.benchmark.timeout(), worker::checkAlive);
	}

}
