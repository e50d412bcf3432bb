package dev.amqptasks.benchmark;

import java.util.Map;
import java.util.StringJoiner;

/**
 * Writes one flat JSON object per line, in the layout docs/performance.md describes:
 * {@code {"workload": "W1", "run": 1, ...}} (keys in insertion order).
 */
final class Json {

	private Json() {
	}

	static String line(Map<String, ?> fields) {
		StringJoiner joiner = new StringJoiner(", ", "{", "}");
		fields.forEach((key, value) -> joiner.add(string(key) + ": " + value(value)));
		return joiner.toString();
	}

	private static String value(Object value) {
		if (value == null) {
			return "null";
		}
		if (value instanceof Double number) {
			return (number.isNaN() || number.isInfinite()) ? "null" : compact(number);
		}
		if (value instanceof Number || value instanceof Boolean) {
			return value.toString();
		}
		return string(value.toString());
	}

	private static String compact(double number) {
		if (number == Math.rint(number) && Math.abs(number) < 1e15) {
			return Long.toString((long) number);
		}
		return Double.toString(number);
	}

	static String string(String text) {
		StringBuilder out = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append('"').toString();
	}

}
