-- Stores new tasks as scheduled, each unless its id exists: one call for many tasks, so that a
-- batch of enqueues costs the registry one round trip.
-- KEYS: task and log of each task, in pairs. ARGV[4..]: id, name, args, kwargs, maxRetries and how
-- long to keep it at least (ms: a delayed task lives until its delay has passed plus the ttl) of
-- each task, in groups of six.
-- Returns, per task and in order, { 'created' } (the caller knows what it stored) or
-- { 'exists', the stored task }.
prune_expired()
local results = {}
for i = 1, #KEYS / 2 do
	local a = 4 + (i - 1) * 6
	local id, name = ARGV[a], ARGV[a + 1]
	if redis.call('EXISTS', KEYS[2 * i - 1]) == 1 then
		results[i] = { 'exists', read(id) }
	else
		store_new(id, { 'id', id, 'name', name, 'status', 'scheduled', 'args', ARGV[a + 2], 'kwargs', ARGV[a + 3],
			'attempts', 0, 'maxRetries', ARGV[a + 4], 'createdAt', now, 'updatedAt', now }, name, 'scheduled',
			ARGV[a + 5])
		results[i] = { 'created' }
	end
end
return results
