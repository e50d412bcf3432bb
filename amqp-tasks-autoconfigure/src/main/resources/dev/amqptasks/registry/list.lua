-- Lists one page of tasks, newest first by (createdAt, id), reading only the index sorted sets
-- in KEYS (score = createdAt, member = id) and the tasks they point to.
-- ARGV[4]: the page size, ARGV[5] and ARGV[6]: the cursor's createdAt and id ('' for the first
-- page), ARGV[7]: '1' to keep only the tasks named ARGV[8], ARGV[9..]: for each index in KEYS,
-- the state its tasks are in ('' for any).
-- Members whose task expired, or that no longer match their index (a lost task stored again),
-- are skipped and removed.
-- Returns { 1 if more tasks follow else 0, { task hash, event log }... }.
local limit = tonumber(ARGV[4])
local cursor_score, cursor_id = ARGV[5], ARGV[6]
local name = (ARGV[7] == '1') and ARGV[8] or nil

-- Whether a comes before b in the order of sorted set members (bytewise). Lua's own string
-- comparison follows the server's locale, which need not be bytewise.
local function before(a, b)
	for i = 1, math.min(#a, #b) do
		local x, y = string.byte(a, i), string.byte(b, i)
		if x ~= y then
			return x < y
		end
	end
	return #a < #b
end

-- The reverse rank of the first member after the cursor: members scored like the cursor sit at
-- ascending ranks lo .. hi - 1 in member order, so a binary search over them finds the first
-- that does not come before the cursor's id, however many tasks share a millisecond.
local function start_rank(index)
	if cursor_score == '' then
		return 0
	end
	local lo = redis.call('ZCOUNT', index, '-inf', '(' .. cursor_score)
	local hi = redis.call('ZCOUNT', index, '-inf', cursor_score)
	while lo < hi do
		local mid = math.floor((lo + hi) / 2)
		if before(redis.call('ZRANGE', index, mid, mid)[1], cursor_id) then
			lo = mid + 1
		else
			hi = mid
		end
	end
	return redis.call('ZCARD', index) - lo
end

local function remove(index, ids)
	for i = 1, #ids, 500 do
		redis.call('ZREM', index, unpack(ids, i, math.min(i + 499, #ids)))
	end
end

local wanted = limit + 1
local candidates = {}
for k, index in ipairs(KEYS) do
	local status = ARGV[8 + k]
	local rank = start_rank(index)
	local found, gone = 0, {}
	while found < wanted do
		local batch = redis.call('ZREVRANGE', index, rank, rank + wanted - 1, 'WITHSCORES')
		if #batch == 0 then
			break
		end
		for i = 1, #batch, 2 do
			local id, score = batch[i], tonumber(batch[i + 1])
			local task = redis.call('HMGET', task_key(id), 'status', 'name', 'createdAt')
			if task[1] and (status == '' or task[1] == status) and (name == nil or task[2] == name)
					and tonumber(task[3]) == score then
				found = found + 1
				candidates[#candidates + 1] = { score, id }
				if found == wanted then
					break
				end
			else
				gone[#gone + 1] = id
			end
		end
		rank = rank + #batch / 2
	end
	remove(index, gone)
end

table.sort(candidates, function(a, b)
	if a[1] ~= b[1] then
		return a[1] > b[1]
	end
	return before(b[2], a[2])
end)
local page = { (#candidates > limit) and 1 or 0 }
for i = 1, math.min(limit, #candidates) do
	page[#page + 1] = read(candidates[i][2])
end
return page
