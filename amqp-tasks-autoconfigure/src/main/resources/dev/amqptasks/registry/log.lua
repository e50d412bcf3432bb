-- Appends to a task's event log, keeping the newest ARGV[6] entries; with a token, only while that
-- attempt holds the task.
-- KEYS: task, log. ARGV[4]: id, ARGV[5]: the entry (JSON), ARGV[6]: the cap, ARGV[7]: the token of
-- the attempt logging ('' for none).
local id, token = ARGV[4], ARGV[7]
local task = redis.call('HMGET', KEYS[1], 'status', 'name', 'token')
if not task[1] then
	return { 'missing' }
end
if token ~= '' and (task[1] ~= 'running' or task[3] ~= token) then
	return { 'lost', task[1] }
end
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[6]), -1)
redis.call('HSET', KEYS[1], 'updatedAt', now)
touch(id, task[2], task[1])
return { 'ok' }
