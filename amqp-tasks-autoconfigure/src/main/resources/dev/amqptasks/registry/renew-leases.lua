-- Renews the leases of the tasks a worker runs; tasks that are not running on it are left alone.
-- KEYS: the tasks' keys. ARGV[4]: worker, ARGV[5]: the new end of the leases (epoch ms),
-- ARGV[6..]: the tasks' ids, in the same order as KEYS.
-- Returns the ids whose lease was renewed.
local worker, lease_until = ARGV[4], ARGV[5]
local renewed = {}
for i, key in ipairs(KEYS) do
	local task = redis.call('HMGET', key, 'status', 'name', 'worker')
	if task[1] == 'running' and task[3] == worker then
		local id = ARGV[5 + i]
		redis.call('HSET', key, 'leaseUntil', lease_until, 'updatedAt', now)
		touch(id, task[2], task[1])
		renewed[#renewed + 1] = id
	end
end
return renewed
