-- Shared by every script of RedisTaskRegistry, which puts it in front of each one.
-- ARGV[1] is the key base "{<prefix>}:", ARGV[2] the current time and ARGV[3] the time to live,
-- both in milliseconds. Index keys, channels and the keys of listed tasks are built here from the
-- base rather than passed in KEYS: they all share the base's hash tag, so in a Redis Cluster every
-- key a script touches still lives in the one slot the script runs on.

local base = ARGV[1]
local now = ARGV[2]
local ttl = ARGV[3]

local function task_key(id)
	return base .. 'task:' .. id
end

local function log_key(id)
	return base .. 'log:' .. id
end

local function contains(csv, value)
	return string.find(',' .. csv .. ',', ',' .. value .. ',', 1, true) ~= nil
end

-- Every key a task is in lives at least as long as the task, and no change ever shortens a key's
-- life: a task kept longer (a delayed task until its delay has passed, an errored one as long as
-- its dead letter) stays so whatever later changes it. PEXPIRE ... GT does not set a time to live
-- on a key that has none (a key just created), hence the second call for that case only.
local function extend(key, ms)
	if redis.call('PEXPIRE', key, ms, 'GT') == 0 and redis.call('PTTL', key) == -1 then
		redis.call('PEXPIRE', key, ms)
	end
end

-- The task names in use (a sorted set scored by when a task of the name was last stored): the
-- counts read it to know which per-name indexes exist without scanning keys.
local names_key = base .. 'names'

-- When each task expires (a sorted set scored by the end of its life, epoch ms): pruning takes
-- the tasks whose time is up, whatever their place in the indexes, so that a few long-lived
-- tasks never keep the dead ones around. A member names the task's state and name too, which is
-- all it takes to find the indexes it is in once its hash is gone.
local expiry_key = base .. 'expiry'

local function expiry_member(id, name, status)
	return status .. ':' .. #name .. ':' .. name .. id
end

-- How many expired tasks one script call drops from the indexes: bounds the work of one call.
local PRUNE_BATCH = 20

-- The indexes a task is in: all tasks, its name, its state, its state and name. The state comes
-- first in the last one, under a prefix of its own, so that no task name can spell another index.
local function index_keys(name, status)
	return {
		base .. 'idx:all',
		base .. 'idx:name:' .. name,
		base .. 'idx:status:' .. status,
		base .. 'idx:status-name:' .. status .. ':' .. name
	}
end

local function prune_expired()
	for _, member in ipairs(redis.call('ZRANGEBYSCORE', expiry_key, '-inf', now, 'LIMIT', 0, PRUNE_BATCH)) do
		local status, length, rest = string.match(member, '^([^:]*):(%d+):(.*)$')
		local name = string.sub(rest, 1, tonumber(length))
		local id = string.sub(rest, tonumber(length) + 1)
		local left = redis.call('PTTL', task_key(id))
		if left == -2 then
			for _, index in ipairs(index_keys(name, status)) do
				redis.call('ZREM', index, id)
			end
			redis.call('ZREM', expiry_key, member)
		else
			-- Alive still: kept longer by a writer whose clock runs behind this one's.
			redis.call('ZADD', expiry_key, tonumber(now) + math.max(left, 0), member)
		end
	end
end

-- Refreshes the time to live of a task, its event log and every index it is in: at least the
-- registry's ttl, or keep_ms when given.
local function touch(id, name, status, keep_ms)
	local ms = math.max(tonumber(ttl), tonumber(keep_ms or 0))
	extend(task_key(id), ms)
	extend(log_key(id), ms)
	for _, index in ipairs(index_keys(name, status)) do
		extend(index, ms)
	end
	extend(names_key, ms)
	extend(expiry_key, ms)
	redis.call('ZADD', expiry_key, 'GT', tonumber(now) + ms, expiry_member(id, name, status))
end

-- Stores a task that the registry does not have (new, or lost because it expired).
local function store_new(id, fields, name, status, keep_ms)
	redis.call('DEL', log_key(id))
	redis.call('HSET', task_key(id), unpack(fields))
	for _, index in ipairs(index_keys(name, status)) do
		redis.call('ZADD', index, now, id)
	end
	redis.call('ZADD', names_key, now, name)
	touch(id, name, status, keep_ms)
end

-- Moves a task from one state's indexes to another's, then refreshes all its keys.
local function move(id, name, created, from, to, keep_ms)
	if from ~= to then
		local old, new = index_keys(name, from), index_keys(name, to)
		redis.call('ZREM', old[3], id)
		redis.call('ZREM', old[4], id)
		redis.call('ZREM', expiry_key, expiry_member(id, name, from))
		redis.call('ZADD', new[3], created, id)
		redis.call('ZADD', new[4], created, id)
	end
	touch(id, name, to, keep_ms)
end

local function notify_final(id, status)
	redis.call('PUBLISH', base .. 'final:' .. id, status)
end

local function read(id)
	return { redis.call('HGETALL', task_key(id)), redis.call('LRANGE', log_key(id), 0, -1) }
end

