-- Counts tasks per state, and per name and state, from the sizes of the indexes (ZCARD, constant
-- time per index): nothing is scanned, however many tasks are stored. A name none of whose
-- indexes holds a task any more is dropped from the set of names.
-- KEYS: the set of names (it routes the script on a Redis Cluster). ARGV[4]: the states (csv).
-- Returns { { the count of each state, in the order of ARGV[4] }, { name, { counts }, ... } }.
local statuses = {}
for status in string.gmatch(ARGV[4], '[^,]+') do
	statuses[#statuses + 1] = status
end

local totals = {}
for i, status in ipairs(statuses) do
	totals[i] = redis.call('ZCARD', base .. 'idx:status:' .. status)
end

local by_name = {}
for _, name in ipairs(redis.call('ZRANGE', names_key, 0, -1)) do
	local counts, any = {}, false
	for i, status in ipairs(statuses) do
		counts[i] = redis.call('ZCARD', base .. 'idx:status-name:' .. status .. ':' .. name)
		any = any or counts[i] > 0
	end
	if any then
		by_name[#by_name + 1] = name
		by_name[#by_name + 1] = counts
	else
		redis.call('ZREM', names_key, name)
	end
end
return { totals, by_name }
