-- Records the progress of a task, only while the attempt with the given token holds it.
-- KEYS: task, log. ARGV[4]: id, ARGV[5]: the token of the attempt, ARGV[6]: the fraction.
local id, token = ARGV[4], ARGV[5]
local task = redis.call('HMGET', KEYS[1], 'status', 'name', 'token')
if not task[1] then
	return { 'missing' }
end
if task[1] ~= 'running' or task[3] ~= token then
	return { 'lost', task[1] }
end
redis.call('HSET', KEYS[1], 'progress', ARGV[6], 'updatedAt', now)
touch(id, task[2], task[1])
return { 'ok' }
