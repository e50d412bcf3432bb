package dev.amqptasks.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.StreamUtils;

/**
 * The Lua scripts of {@link RedisTaskRegistry}, one per operation, each preceded by the
 * shared {@code registry.lua}. Every script takes the key base, the current time and the
 * time to live as its first three arguments.
 *
 * @param create stores a new task unless its id exists
 * @param start starts an attempt, or tells why not
 * @param renewLeases renews the leases of a worker's attempts
 * @param transition moves a task to another state
 * @param replay schedules an ended task to run again
 * @param requestCancel cancels a task or flags it for its worker
 * @param log appends to the event log
 * @param progress records progress
 * @param find reads a task
 * @param list reads a page from the indexes
 * @param cancelRequested tells which tasks are flagged
 * @param counts counts tasks per state and per name from the sizes of the indexes
 */
record RedisTaskScripts(RedisScript<List<Object>> create, RedisScript<List<Object>> start,
		RedisScript<List<Object>> renewLeases, RedisScript<List<Object>> transition, RedisScript<List<Object>> replay,
		RedisScript<List<Object>> requestCancel, RedisScript<List<Object>> log, RedisScript<List<Object>> progress,
		RedisScript<List<Object>> find, RedisScript<List<Object>> list, RedisScript<List<Object>> cancelRequested,
		RedisScript<List<Object>> counts) {

	static RedisTaskScripts load() {
		String common = read("registry");
		return new RedisTaskScripts(script(common, "create"), script(common, "start"), script(common, "renew-leases"),
				script(common, "transition"), script(common, "replay"), script(common, "request-cancel"),
				script(common, "log"), script(common, "progress"), script(common, "find"), script(common, "list"),
				script(common, "cancel-requested"), script(common, "counts"));
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static RedisScript<List<Object>> script(String common, String name) {
		return (RedisScript) new DefaultRedisScript<>(common + read(name), List.class);
	}

	private static String read(String name) {
		ClassPathResource resource = new ClassPathResource(name + ".lua", RedisTaskScripts.class);
		try (InputStream input = resource.getInputStream()) {
			return StreamUtils.copyToString(input, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read " + resource, ex);
		}
	}

}
