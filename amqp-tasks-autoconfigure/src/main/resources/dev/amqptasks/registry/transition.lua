-- Moves a task to another state.
-- KEYS: task, log. ARGV[4]: the new state, ARGV[5]: the states it may come from (csv),
-- ARGV[6]: '1' if the new state is final, ARGV[7]: id, ARGV[8]: fields to remove (csv, may be empty),
-- ARGV[9..]: field/value pairs to store.
local to, sources, final, id = ARGV[4], ARGV[5], ARGV[6] == '1', ARGV[7]
local task = redis.call('HMGET', KEYS[1], 'status', 'name', 'createdAt')
if not task[1] then
	return { 'missing' }
end
if not contains(sources, task[1]) then
	return { 'illegal', task[1] }
end
local fields = { 'status', to, 'updatedAt', now }
if final then
	fields[#fields + 1] = 'finishedAt'
	fields[#fields + 1] = now
end
for i = 9, #ARGV do
	fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', KEYS[1], unpack(fields))
local removed = {}
for field in string.gmatch(ARGV[8], '[^,]+') do
	removed[#removed + 1] = field
end
if #removed > 0 then
	redis.call('HDEL', KEYS[1], unpack(removed))
end
move(id, task[2], task[3], task[1], to)
if final then
	notify_final(id, to)
end
return { 'ok' }
