-- Moves tasks to another state: one call for the same change to many tasks (the outcomes a worker
-- stores at about the same time).
-- KEYS: task and log of each task, in pairs. ARGV[4]: the new state, ARGV[5]: the states it may
-- come from (csv), ARGV[6]: '1' if the new state is final, ARGV[7]: fields to remove (csv, may be
-- empty), ARGV[8]: fields to store (csv, may be empty), ARGV[9]: '1' if a task whose cancellation
-- was requested becomes canceled instead, ARGV[10]: how long to keep the tasks at least (ms),
-- ARGV[11..]: per task, its id, the token of the attempt making the change ('' for none), then
-- one value per field to store.
-- A change with a token is made only while that attempt holds the task (else { 'lost', state }); a
-- change without one never takes a task from an attempt whose lease is live.
-- Returns, per task and in order, { 'ok' } (with the new state when a cancellation may have won),
-- { 'missing' }, { 'illegal', its state } or { 'lost', its state }.
prune_expired()
local sources, cancel_wins, keep = ARGV[5], ARGV[9] == '1', ARGV[10]

local function split(csv)
	local values = {}
	for value in string.gmatch(csv, '[^,]+') do
		values[#values + 1] = value
	end
	return values
end

local removed, stored = split(ARGV[7]), split(ARGV[8])

local function transition(key, a)
	local id, token = ARGV[a], ARGV[a + 1]
	local task = redis.call('HMGET', key, 'status', 'name', 'createdAt', 'token', 'leaseUntil', 'cancelRequested')
	local status = task[1]
	if not status then
		return { 'missing' }
	end
	if token ~= '' and (status ~= 'running' or task[4] ~= token) then
		return { 'lost', status }
	end
	if token == '' and status == 'running' and task[5] and tonumber(task[5]) > tonumber(now) then
		return { 'illegal', status }
	end
	if not contains(sources, status) then
		return { 'illegal', status }
	end
	local to, final = ARGV[4], ARGV[6] == '1'
	if cancel_wins and task[6] == '1' then
		to, final = 'canceled', true
	end
	local fields = { 'status', to, 'updatedAt', now }
	if final then
		fields[#fields + 1] = 'finishedAt'
		fields[#fields + 1] = now
	end
	for f, field in ipairs(stored) do
		fields[#fields + 1] = field
		fields[#fields + 1] = ARGV[a + 1 + f]
	end
	redis.call('HSET', key, unpack(fields))
	if #removed > 0 then
		redis.call('HDEL', key, unpack(removed))
	end
	move(id, task[2], task[3], status, to, keep)
	if final then
		notify_final(id, to)
	end
	if cancel_wins then
		return { 'ok', to }
	end
	return { 'ok' }
end

local results = {}
for i = 1, #KEYS / 2 do
	results[i] = transition(KEYS[2 * i - 1], 11 + (i - 1) * (2 + #stored))
end
return results
