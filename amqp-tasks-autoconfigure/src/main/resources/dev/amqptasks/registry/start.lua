-- Starts an attempt of a delivered message's task, or tells why not.
-- KEYS: task, log. ARGV[4]: states that may start (csv), ARGV[5]: states that may be canceled (csv),
-- ARGV[6]: worker, ARGV[7]: the end of the new attempt's lease (epoch ms), ARGV[8..15]: id, name,
-- args, kwargs, maxRetries, attempts, replay (the task as the message carries it).
-- Returns { 'run', 'skip' or 'defer', the state after the call, the attempt number }.
local startable, cancelable, worker, lease_until, id = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local message_replay = tonumber(ARGV[14])
local task = redis.call('HMGET', KEYS[1], 'status', 'name', 'createdAt', 'attempts', 'cancelRequested', 'replays',
	'leaseUntil')
local status = task[1]
if not status then
	-- Lost: the message knows how many attempts ran before, so the count goes on from there.
	local name = ARGV[9]
	local attempts = tonumber(ARGV[13]) + 1
	store_new(id, { 'id', id, 'name', name, 'status', 'running', 'args', ARGV[10], 'kwargs', ARGV[11],
		'attempts', attempts, 'maxRetries', ARGV[12], 'replays', message_replay, 'createdAt', now, 'startedAt', now,
		'updatedAt', now, 'worker', worker, 'leaseUntil', lease_until }, name, 'running')
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
	redis.call('HSET', KEYS[1], 'status', 'canceled', 'finishedAt', now, 'updatedAt', now)
	redis.call('HDEL', KEYS[1], 'leaseUntil')
	move(id, name, created, status, 'canceled')
	notify_final(id, 'canceled')
	return { 'skip', 'canceled', attempts }
end
if not contains(startable, status) then
	return { 'skip', status, attempts }
end
attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'status', 'running', 'startedAt', now, 'updatedAt', now, 'worker', worker,
	'leaseUntil', lease_until)
redis.call('HDEL', KEYS[1], 'progress')
move(id, name, created, status, 'running')
return { 'run', 'running', attempts }
