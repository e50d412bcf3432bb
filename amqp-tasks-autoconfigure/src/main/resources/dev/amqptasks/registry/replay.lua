-- Schedules a task that ended to run again, as a new run: messages of earlier runs become stale.
-- A call repeated with the same token (its reply was lost) answers as the first did.
-- KEYS: task, log. ARGV[4]: the states that may be replayed (csv), ARGV[5]: id, ARGV[6]: the event
-- log entry (JSON) with %d for the replay number, which only this script knows, ARGV[7]: the cap,
-- ARGV[8]: the token of this replay.
-- Returns { 'ok', the task after the change }.
prune_expired()
local replayable, id, token = ARGV[4], ARGV[5], ARGV[8]
local task = redis.call('HMGET', KEYS[1], 'status', 'name', 'createdAt', 'replayToken')
if not task[1] then
	return { 'missing' }
end
if task[1] == 'scheduled' and task[4] == token then
	return { 'ok', read(id) }
end
if not contains(replayable, task[1]) then
	return { 'illegal', task[1] }
end
local replays = redis.call('HINCRBY', KEYS[1], 'replays', 1)
redis.call('HSET', KEYS[1], 'status', 'scheduled', 'attempts', 0, 'updatedAt', now, 'replayToken', token)
redis.call('HDEL', KEYS[1], 'result', 'error', 'startedAt', 'finishedAt', 'worker', 'progress', 'cancelRequested',
	'leaseUntil', 'token')
redis.call('RPUSH', KEYS[2], string.format(ARGV[6], replays))
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[7]), -1)
move(id, task[2], task[3], task[1], 'scheduled')
return { 'ok', read(id) }
