package dev.amqptasks.benchmark;

import java.time.Duration;
import java.util.Map;

import dev.amqptasks.TaskClient;
import dev.amqptasks.testsupport.WorkerProcess;

/**
 * W1: throughput of no-op tasks: the drain of a pre-filled queue, then enqueue and end to
 * end with a warm worker, with the CPU each process spent per task.
 */
final class W1Workload {

	private final Benchmark benchmark;

	private final Settings settings;

	private final Broker broker;

	private final Registry registry;

	private final Enqueuing enqueuing;

	W1Workload(Benchmark benchmark) {
		this.benchmark = benchmark;
		this.settings = benchmark.settings();
		this.broker = benchmark.broker();
		this.registry = benchmark.registry();
		this.enqueuing = new Enqueuing(this.settings);
	}

	void run(int run) throws Exception {
		Names names = this.benchmark.names("w1", run);
		int n = this.settings.n();
		try (Producer producer = this.benchmark.open(names, Producer.start(this.settings, names, false))) {
			TaskClient client = producer.client();
			Benchmark.progress("W1 run " + run + ": pre-filling " + n + " no-op tasks with no worker");
			Enqueuing.Enqueued prefill = this.enqueuing.enqueueAll(client, n, Benchmark.NOOP);
			long queued = this.broker.messages(names.queue());
			if (queued != n) {
				throw new IllegalStateException(
						"Expected " + n + " messages in " + names.queue() + ", found " + queued);
			}
			WorkerProcess started = this.benchmark.startWorker(names, 0, "w1-r" + run);
			try (WorkerProcess worker = this.benchmark.open(names, started)) {
				Benchmark.progress("W1 run " + run + ": draining with worker pid " + worker.pid());
				this.registry.awaitFinished(names.keyPrefix(), n, this.benchmark.timeout(), worker::checkAlive);
				long[][] drained = this.registry.times(names.keyPrefix(), prefill.ids(), "startedAt", "finishedAt");
				double drainSeconds = (Timestamps.latest(drained, 1) - Timestamps.earliest(drained, 0)) / 1000.0;

				Benchmark.progress(
						"W1 run " + run + ": end to end, " + n + " no-op tasks from " + this.settings.producerThreads()
								+ " producer threads, " + this.settings.bulkSize() + " per call");
				Duration workerCpu = worker.cpu();
				Duration producerCpu = ownCpu();
				Duration brokerCpu = ServiceCpu.rabbitmq();
				Duration redisCpu = ServiceCpu.redis();
				Enqueuing.Enqueued batch = this.enqueuing.enqueueAll(client, n, Benchmark.NOOP);
				this.registry.awaitFinished(names.keyPrefix(), 2L * n, this.benchmark.timeout(), worker::checkAlive);
				workerCpu = worker.cpu().minus(workerCpu);
				producerCpu = ownCpu().minus(producerCpu);
				brokerCpu = ServiceCpu.rabbitmq().minus(brokerCpu);
				redisCpu = ServiceCpu.redis().minus(redisCpu);
				long[][] finished = this.registry.times(names.keyPrefix(), batch.ids(), "finishedAt");
				double e2eSeconds = (Timestamps.latest(finished, 0) - batch.firstEnqueueMillis()) / 1000.0;
				double rss = worker.peakRssMb();

				double e2e = n / e2eSeconds;
				double enqueue = n / batch.seconds();
				double drain = n / drainSeconds;
				Double raw = this.benchmark.rawByRun().get(run);
				Map<String, Object> line = Results.line("W1", run);
				line.put("e2e_tasks_per_s", Stats.round(e2e, 1));
				line.put("enqueue_per_s", Stats.round(enqueue, 1));
				line.put("drain_tasks_per_s", Stats.round(drain, 1));
				line.put("worker_peak_rss_mb", Stats.round(rss, 1));
				line.put("ratio_to_raw", ratio(e2e, raw));
				line.put("enqueue_ratio_to_raw", ratio(enqueue, raw));
				line.put("drain_ratio_to_raw", ratio(drain, raw));
				line.put("raw_msg_per_s", (raw != null) ? Stats.round(raw, 1) : null);
				line.put("n", n);
				line.put("producer_threads", this.settings.producerThreads());
				line.put("bulk_size", this.settings.bulkSize());
				line.put("max_running_tasks", "default");
				line.put("e2e_s", Stats.round(e2eSeconds, 3));
				line.put("e2e_worker", "warm, after the drain");
				line.put("drain_s", Stats.round(drainSeconds, 3));
				line.put("drain_timed_from", "first task start");
				line.put("prefill_enqueue_per_s", Stats.round(n / prefill.seconds(), 1));
				line.put("e2e_worker_cpu_ms_per_task", Stats.round(workerCpu.toNanos() / 1e6 / n, 3));
				line.put("e2e_producer_cpu_ms_per_task", Stats.round(producerCpu.toNanos() / 1e6 / n, 3));
				line.put("e2e_rabbitmq_cpu_ms_per_task", Stats.round(brokerCpu.toNanos() / 1e6 / n, 3));
				line.put("e2e_redis_cpu_ms_per_task", Stats.round(redisCpu.toNanos() / 1e6 / n, 3));
				line.put("jdk", System.getProperty("java.runtime.version"));
				this.benchmark.results().report(line);
			}
		}
		finally {
			this.benchmark.release(names);
		}
	}

	/** CPU time of this JVM (the producer) so far. */
	private static Duration ownCpu() {
		return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
	}

	private static Double ratio(double value, Double raw) {
		return (raw == null || raw == 0) ? null : Stats.round(value / raw, 4);
	}

}
