package dev.amqptasks.benchmark;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Tag("fast")
class StatsTest {

	@Test
	void percentileInterpolatesBetweenClosestRanks() {
		double[] values = { 4, 1, 3, 2 };
		assertThat(Stats.percentile(values, 0)).isEqualTo(1);
		assertThat(Stats.percentile(values, 50)).isEqualTo(2.5);
		assertThat(Stats.percentile(values, 100)).isEqualTo(4);
		assertThat(Stats.percentile(values, 25)).isEqualTo(1.75);
		assertThat(values).containsExactly(4, 1, 3, 2);
	}

	@Test
	void percentileOfOneToHundred() {
		double[] values = new double[100];
		for (int i = 0; i < values.length; i++) {
			values[i] = i + 1;
		}
		assertThat(Stats.percentile(values, 99)).isEqualTo(99.01, org.assertj.core.data.Offset.offset(1e-9));
		assertThat(Stats.percentile(values, 50)).isEqualTo(50.5);
	}

	@Test
	void medianOfOddAndEvenSamples() {
		assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2);
		assertThat(Stats.median(List.of(10, 30))).isEqualTo(20);
		assertThat(Stats.median(List.of(7))).isEqualTo(7);
		assertThat(Stats.median(List.<Double>of())).isNaN();
	}

	@Test
	void percentileRejectsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> Stats.percentile(new double[] { 1 }, 101));
		assertThatIllegalArgumentException().isThrownBy(() -> Stats.percentile(new double[] { 1 }, Double.NaN));
	}

	@Test
	void roundKeepsNaN() {
		assertThat(Stats.round(1.23456, 2)).isEqualTo(1.23);
		assertThat(Stats.round(Double.NaN, 2)).isNaN();
	}

	@Test
	void jsonLineHasTheLayoutOfWorkloadsMd() {
		Map<String, Object> line = new java.util.LinkedHashMap<>();
		line.put("workload", "W1");
		line.put("run", 1);
		line.put("e2e_tasks_per_s", 1234.5);
		line.put("ratio_to_raw", null);
		line.put("n", 20000.0);
		line.put("note", "a \"quoted\" text");
		assertThat(Json.line(line)).isEqualTo(
				"{\"workload\": \"W1\", \"run\": 1, \"e2e_tasks_per_s\": 1234.5, \"ratio_to_raw\": null, \"n\": 20000, "
						+ "\"note\": \"a \\\"quoted\\\" text\"}");
	}

}
