-- Schedules a task that ended to run again, as a new run: messages of earlier runs become stale.
-- KEYS: task, log. ARGV[4]: the states that may be replayed (csv), ARGV[5]: id, ARGV[6]: the event
-- log entry (JSON) with %d for the replay number, which only this script knows, ARGV[7]: the cap.
-- Returns { 'ok', the task after the change }.
local replayable, id = ARGV[4], ARGV[5]
local task = redis.call('HMGET', KEYS[1], 'status', 'name', 'createdAt')
if not task[1] then
	return { 'missing' }
end
if not contains(replayable, task[1]) then
	return { 'illegal', task[1] }
end
local replays = redis.call('HINCRBY', KEYS[1], 'replays', 1)
redis.call('HSET', KEYS[1], 'status', 'scheduled', 'attempts', 0, 'updatedAt', now)
redis.call('HDEL', KEYS[1], 'result', 'error', 'startedAt', 'finishedAt', 'worker', 'progress', 'cancelRequested',
	'leaseUntil')
redis.call('RPUSH', KEYS[2], string.format(ARGV[6], replays))
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[7]), -1)
move(id, task[2], task[3], task[1], 'scheduled')
return { 'ok', read(id) }
