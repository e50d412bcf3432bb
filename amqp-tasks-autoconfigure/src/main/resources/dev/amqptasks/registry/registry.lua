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

local function contains(csv, value)
	return string.find(',' .. csv .. ',', ',' .. value .. ',', 1, true) ~= nil
end

-- Drops those of the three oldest members whose task is gone, so that an index whose key keeps
-- being refreshed by live tasks does not grow without bound. One EXISTS for all three answers
-- the common case, where they all live.
local function prune(index)
	local oldest = redis.call('ZRANGE', index, 0, 2)
	local keys = {}
	for i, id in ipairs(oldest) do
		keys[i] = task_key(id)
	end
	if redis.call('EXISTS', unpack(keys)) < #keys then
		for i, id in ipairs(oldest) do
			if redis.call('EXISTS', keys[i]) == 0 then
				redis.call('ZREM', index, id)
			end
		end
	end
end

local function index_add(index, score, id)
	redis.call('ZADD', index, score, id)
	redis.call('PEXPIRE', index, ttl)
	prune(index)
end

-- The task names in use (a sorted set scored by when a task of the name was last stored): the
-- counts read it to know which per-name indexes exist without scanning keys.
local names_key = base .. 'names'

-- Refreshes the time to live of a task, its event log and every index it is in.
local function touch(id, name, status)
	redis.call('PEXPIRE', task_key(id), ttl)
	redis.call('PEXPIRE', log_key(id), ttl)
	for _, index in ipairs(index_keys(name, status)) do
		redis.call('PEXPIRE', index, ttl)
	end
	redis.call('PEXPIRE', names_key, ttl)
end

-- Stores a task that the registry does not have (new, or lost because it expired).
local function store_new(id, fields, name, status)
	redis.call('DEL', log_key(id))
	redis.call('HSET', task_key(id), unpack(fields))
	redis.call('PEXPIRE', task_key(id), ttl)
	for _, index in ipairs(index_keys(name, status)) do
		index_add(index, now, id)
	end
	redis.call('ZADD', names_key, now, name)
	redis.call('PEXPIRE', names_key, ttl)
end

-- Moves a task from one state's indexes to another's, then refreshes all its keys.
local function move(id, name, created, from, to)
	if from ~= to then
		local old, new = index_keys(name, from), index_keys(name, to)
		redis.call('ZREM', old[3], id)
		redis.call('ZREM', old[4], id)
		index_add(new[3], created, id)
		index_add(new[4], created, id)
	end
	touch(id, name, to)
end

local function notify_final(id, status)
	redis.call('PUBLISH', base .. 'final:' .. id, status)
end

local function read(id)
	return { redis.call('HGETALL', task_key(id)), redis.call('LRANGE', log_key(id), 0, -1) }
end

