-- Appends to a task's event log, keeping the newest ARGV[6] entries.
-- KEYS: task, log. ARGV[4]: id, ARGV[5]: the entry (JSON), ARGV[6]: the cap.
local id = ARGV[4]
local task = redis.call('HMGET', KEYS[1], 'status', 'name')
if not task[1] then
	return { 'missing' }
end
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[6]), -1)
redis.call('HSET', KEYS[1], 'updatedAt', now)
touch(id, task[2], task[1])
return { 'ok' }
