package dev.amqptasks.benchmark;

import java.time.Duration;
import java.util.Map;

/**
 * RAW: the broker's own limit on this machine, publish and consume with no task system,
 * for the ratios of the other workloads.
 */
final class RawWorkload {

	private final Benchmark benchmark;

	private final Settings settings;

	private final Broker broker;

	RawWorkload(Benchmark benchmark) {
		this.benchmark = benchmark;
		this.settings = benchmark.settings();
		this.broker = benchmark.broker();
	}

	void run(int run) throws Exception {
		Names names = this.benchmark.names("raw", run);
		Benchmark.progress("RAW run " + run + ": " + this.settings.rawSeconds()
				+ " s (+2 s warm-up) of publish/consume on " + names.queue());
		try {
			Duration brokerCpu = ServiceCpu.rabbitmq();
			RawLimit.Result result = RawLimit.run(this.broker.factory(), names.queue(), this.settings.rawSeconds(),
					this.settings.rawPrefetch());
			brokerCpu = ServiceCpu.rabbitmq().minus(brokerCpu);
			this.benchmark.rawByRun().put(run, result.consumedPerSecond());
			Map<String, Object> line = Results.line("RAW", run);
			line.put("msg_per_s", Stats.round(result.consumedPerSecond(), 1));
			line.put("published_per_s", Stats.round(result.publishedPerSecond(), 1));
			line.put("seconds", this.settings.rawSeconds());
			line.put("confirm_window", RawLimit.CONFIRM_WINDOW);
			line.put("consumer_prefetch",
					(this.settings.rawPrefetch() == 0) ? "unlimited" : Integer.toString(this.settings.rawPrefetch()));
			line.put("queue_type", "classic");
			line.put("body_bytes", result.bodyBytes());
			line.put("rabbitmq_cpu_ms_per_msg", Stats.round(brokerCpu.toNanos() / 1e6 / result.consumed(), 3));
			this.benchmark.results().report(line);
		}
		finally {
			this.benchmark.release(names);
		}
	}

}
