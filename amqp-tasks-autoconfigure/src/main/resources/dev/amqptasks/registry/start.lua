-- Starts attempts of delivered messages' tasks, or tells why not: one call for the messages a
-- worker received at about the same time.
-- KEYS: task and log of each message's task, in pairs. ARGV[4]: states that may start (csv),
-- ARGV[5]: states that may be canceled (csv), ARGV[6]: worker, ARGV[7]: the end of the new
-- attempts' lease (epoch ms), ARGV[8]: the error (JSON) of a task refused because its entry may
-- have expired, ARGV[9]: how long to keep such a task (ms), ARGV[10..]: id, name, args, kwargs,
-- maxRetries, attempts, replay of each message's task (as the message carries it), the token of
-- the attempt it would start, and until when (epoch ms, '' for always) a missing entry may be
-- stored again from the message, in groups of nine.
-- Returns, per message and in order, { 'run', 'skip', 'defer' or 'dead_letter', the state after the
-- call, the attempt number, the lease's time left in ms (for 'defer', else 0) }.
prune_expired()
local startable, cancelable, worker, lease_until = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local expired_error, errored_keep = ARGV[8], ARGV[9]

local function start(key, a)
	local id, token = ARGV[a], ARGV[a + 7]
	local message_replay = tonumber(ARGV[a + 6])
	local task = redis.call('HMGET', key, 'status', 'name', 'createdAt', 'attempts', 'cancelRequested', 'replays',
		'leaseUntil', 'token')
	local status = task[1]
	if not status then
		local name = ARGV[a + 1]
		local attempts = tonumber(ARGV[a + 5])
		local recreate_until = ARGV[a + 8]
		if recreate_until ~= '' and tonumber(now) >= tonumber(recreate_until) then
			-- Its entry may have expired as it was meant to, canceled or finished: running the
			-- message could undo either. It ends errored, and says why.
			store_new(id, { 'id', id, 'name', name, 'status', 'errored', 'args', ARGV[a + 2], 'kwargs', ARGV[a + 3],
				'attempts', attempts, 'maxRetries', ARGV[a + 4], 'replays', message_replay, 'error', expired_error,
				'createdAt', now, 'finishedAt', now, 'updatedAt', now }, name, 'errored', errored_keep)
			notify_final(id, 'errored')
			return { 'dead_letter', 'errored', attempts, 0 }
		end
		-- Lost (Redis lost it): the message knows how many attempts ran before.
		attempts = attempts + 1
		store_new(id, { 'id', id, 'name', name, 'status', 'running', 'args', ARGV[a + 2], 'kwargs', ARGV[a + 3],
			'attempts', attempts, 'maxRetries', ARGV[a + 4], 'replays', message_replay, 'createdAt', now,
			'startedAt', now, 'updatedAt', now, 'worker', worker, 'leaseUntil', lease_until, 'token', token }, name,
			'running')
		return { 'run', 'running', attempts, 0 }
	end
	local name, created, attempts = task[2], task[3], tonumber(task[4])
	if message_replay < tonumber(task[6] or '0') then
		return { 'skip', status, attempts, 0 }
	end
	if status == 'running' and task[8] == token then
		-- This very delivery started it already: the reply to that call was lost.
		return { 'run', status, attempts, 0 }
	end
	if status == 'running' and task[7] and tonumber(task[7]) > tonumber(now) then
		-- A live worker holds the attempt: this message is a redelivery, not a dead worker's task.
		-- It also stops the task if its cancellation was requested.
		return { 'defer', status, attempts, tonumber(task[7]) - tonumber(now) }
	end
	if task[5] == '1' and contains(cancelable, status) then
		redis.call('HSET', key, 'status', 'canceled', 'finishedAt', now, 'updatedAt', now)
		redis.call('HDEL', key, 'leaseUntil', 'token')
		move(id, name, created, status, 'canceled')
		notify_final(id, 'canceled')
		return { 'skip', 'canceled', attempts, 0 }
	end
	if not contains(startable, status) then
		return { 'skip', status, attempts, 0 }
	end
	attempts = redis.call('HINCRBY', key, 'attempts', 1)
	redis.call('HSET', key, 'status', 'running', 'startedAt', now, 'updatedAt', now, 'worker', worker,
		'leaseUntil', lease_until, 'token', token)
	redis.call('HDEL', key, 'progress')
	move(id, name, created, status, 'running')
	return { 'run', 'running', attempts, 0 }
end

local results = {}
for i = 1, #KEYS / 2 do
	results[i] = start(KEYS[2 * i - 1], 10 + (i - 1) * 9)
end
return results
