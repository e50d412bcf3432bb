-- Records the progress of a task.
-- KEYS: task, log. ARGV[4]: id, ARGV[5]: the states that allow it (csv), ARGV[6]: the fraction.
local id = ARGV[4]
local task = redis.call('HMGET', KEYS[1], 'status', 'name')
if not task[1] then
	return { 'missing' }
end
if not contains(ARGV[5], task[1]) then
	return { 'illegal', task[1] }
end
redis.call('HSET', KEYS[1], 'progress', ARGV[6], 'updatedAt', now)
touch(id, task[2], task[1])
return { 'ok' }
