-- Renews the leases of the attempts a worker runs, each only while that attempt still holds its
-- task.
-- KEYS: the tasks' keys. ARGV[4]: the new end of the leases (epoch ms), ARGV[5..]: each task's id
-- and its attempt's token, in pairs, in the same order as KEYS.
-- Returns the ids of the tasks whose attempt no longer holds them (lost: another attempt took
-- over after the lease ran out, or the task ended or expired).
prune_expired()
local lease_until = ARGV[4]
local lost = {}
for i, key in ipairs(KEYS) do
	local id, token = ARGV[3 + 2 * i], ARGV[4 + 2 * i]
	local task = redis.call('HMGET', key, 'status', 'name', 'token')
	if task[1] == 'running' and task[3] == token then
		redis.call('HSET', key, 'leaseUntil', lease_until, 'updatedAt', now)
		touch(id, task[2], task[1])
	else
		lost[#lost + 1] = id
	end
end
return lost
