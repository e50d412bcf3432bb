-- Starts attempts of delivered messages' tasks, or tells why not: one call for the messages a
-- worker received at about the same time.
-- KEYS: task and log of each message's task, in pairs. ARGV[4]: states that may start (csv),
-- ARGV[5]: states that may be canceled (csv), ARGV[6]: worker, ARGV[7]: the end of the new
-- attempts' lease (epoch ms), ARGV[8..]: id, name, args, kwargs, maxRetries, attempts, replay of
-- each message's task (as the message carries it), in groups of seven.
-- Returns, per message and in order, { 'run', 'skip' or 'defer', the state after the call, the
-- attempt number }.
local startable, cancelable, worker, lease_until = ARGV[4], ARGV[5], ARGV[6], ARGV[7]

local function start(key, a)
	local id = ARGV[a]
	local message_replay = tonumber(ARGV[a + 6])
	local task = redis.call('HMGET', key, 'status', 'name', 'createdAt', 'attempts', 'cancelRequested', 'replays',
		'leaseUntil')
	local status = task[1]
	if not status then
		-- Lost: the message knows how many attempts ran before, so the count goes on from there.
		local name = ARGV[a + 1]
		local attempts = tonumber(ARGV[a + 5]) + 1
		store_new(id, { 'id', id, 'name', name, 'status', 'running', 'args', ARGV[a + 2], 'kwargs', ARGV[a + 3],
			'attempts', attempts, 'maxRetries', ARGV[a + 4], 'replays', message_replay, 'createdAt', now,
			'startedAt', now, 'updatedAt', now, 'worker', worker, 'leaseUntil', lease_until }, name, 'running')
		return { 'run', 'running', attempts }
	end
	local name, created, attempts = task[2], task[3], tonumber(task[4])
	if message_replay < tonumber(task[6] or '0') then
		return { 'skip', status, attempts }
	end
	if status == 'running' and task[7] and tonumber(task[7]) > tonumber(now) then
		-- A live worker holds the attempt: this message is a redelivery, not a dead worker's task.
		-- It also stops the task if its cancellation was requested.
		return { 'defer', status, attempts }
	end
	if task[5] == '1' and contains(cancelable, status) then
		redis.call('HSET', key, 'status', 'canceled', 'finishedAt', now, 'updatedAt', now)
		redis.call('HDEL', key, 'leaseUntil')
		move(id, name, created, status, 'canceled')
		notify_final(id, 'canceled')
		return { 'skip', 'canceled', attempts }
	end
	if not contains(startable, status) then
		return { 'skip', status, attempts }
	end
	attempts = redis.call('HINCRBY', key, 'attempts', 1)
	redis.call('HSET', key, 'status', 'running', 'startedAt', now, 'updatedAt', now, 'worker', worker,
		'leaseUntil', lease_until)
	redis.call('HDEL', key, 'progress')
	move(id, name, created, status, 'running')
	return { 'run', 'running', attempts }
end

local results = {}
for i = 1, #KEYS / 2 do
	results[i] = start(KEYS[2 * i - 1], 8 + (i - 1) * 7)
end
return results
