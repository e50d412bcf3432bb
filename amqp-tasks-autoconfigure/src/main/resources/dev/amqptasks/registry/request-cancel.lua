-- Requests the cancellation of a task: canceled at once when it has not started, flagged (and its
-- worker notified) while it runs, left alone when already canceled.
-- KEYS: task, log. ARGV[4]: states canceled at once (csv), ARGV[5]: states flagged (csv),
-- ARGV[6]: the cancel channel, ARGV[7]: id.
local at_once, flagged, channel, id = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
prune_expired()
local task = redis.call('HMGET', KEYS[1], 'status', 'name', 'createdAt')
local status = task[1]
if not status then
	return { 'missing' }
end
if contains(at_once, status) then
	redis.call('HSET', KEYS[1], 'status', 'canceled', 'finishedAt', now, 'updatedAt', now)
	move(id, task[2], task[3], status, 'canceled')
	notify_final(id, 'canceled')
elseif contains(flagged, status) then
	redis.call('HSET', KEYS[1], 'cancelRequested', '1', 'updatedAt', now)
	touch(id, task[2], status)
	redis.call('PUBLISH', channel, id)
elseif status ~= 'canceled' then
	return { 'illegal', status }
end
return { 'ok', read(id) }
