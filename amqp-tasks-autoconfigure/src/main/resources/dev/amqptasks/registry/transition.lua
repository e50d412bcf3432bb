-- Moves tasks to another state: one call for the same change to many tasks (the outcomes a worker
-- stores at about the same time).
-- KEYS: task and log of each task, in pairs. ARGV[4]: the new state, ARGV[5]: the states it may
-- come from (csv), ARGV[6]: '1' if the new state is final, ARGV[7]: fields to remove (csv, may be
-- empty), ARGV[8]: fields to store (csv, may be empty), ARGV[9..]: per task, its id then one value
-- per field to store.
-- Returns, per task and in order, { 'ok' }, { 'missing' } or { 'illegal', its state }.
local to, sources, final = ARGV[4], ARGV[5], ARGV[6] == '1'

local function split(csv)
	local values = {}
	for value in string.gmatch(csv, '[^,]+') do
		values[#values + 1] = value
	end
	return values
end

local removed, stored = split(ARGV[7]), split(ARGV[8])

local function transition(key, a)
	local id = ARGV[a]
	local task = redis.call('HMGET', key, 'status', 'name', 'createdAt')
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
	for f, field in ipairs(stored) do
		fields[#fields + 1] = field
		fields[#fields + 1] = ARGV[a + f]
	end
	redis.call('HSET', key, unpack(fields))
	if #removed > 0 then
		redis.call('HDEL', key, unpack(removed))
	end
	move(id, task[2], task[3], task[1], to)
	if final then
		notify_final(id, to)
	end
	return { 'ok' }
end

local results = {}
for i = 1, #KEYS / 2 do
	results[i] = transition(KEYS[2 * i - 1], 9 + (i - 1) * (1 + #stored))
end
return results
