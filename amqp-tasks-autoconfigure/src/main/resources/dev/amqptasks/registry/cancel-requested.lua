-- Which tasks have a cancellation request.
-- KEYS: the tasks' keys. ARGV[4..]: their ids, in the same order.
local requested = {}
for i, key in ipairs(KEYS) do
	if redis.call('HGET', key, 'cancelRequested') == '1' then
		requested[#requested + 1] = ARGV[3 + i]
	end
end
return requested
