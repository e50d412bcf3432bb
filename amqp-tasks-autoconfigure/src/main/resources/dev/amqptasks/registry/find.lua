-- Reads a task and its event log.
-- KEYS: task, log. ARGV[4]: id.
if redis.call('EXISTS', KEYS[1]) == 0 then
	return { 'missing' }
end
return { 'ok', read(ARGV[4]) }
