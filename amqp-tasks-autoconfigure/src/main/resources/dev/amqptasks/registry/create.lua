-- Stores a new task as scheduled, unless its id exists.
-- KEYS: task, log. ARGV[4..8]: id, name, args, kwargs, maxRetries.
-- Returns { 'exists', the stored task } or { 'created' }: the caller knows what it stored.
local id, name = ARGV[4], ARGV[5]
if redis.call('EXISTS', KEYS[1]) == 1 then
	return { 'exists', read(id) }
end
store_new(id, { 'id', id, 'name', name, 'status', 'scheduled', 'args', ARGV[6], 'kwargs', ARGV[7],
	'attempts', 0, 'maxRetries', ARGV[8], 'createdAt', now, 'updatedAt', now }, name, 'scheduled')
return { 'created' }
