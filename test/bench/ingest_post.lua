-- wrk body generator for POST /event with unique ids (make bench).
-- Each wrk thread gets its own number in setup(), so ids never collide.
local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

local counter = 0
function request()
	counter = counter + 1
	local body = string.format(
		'{"id":"wrk-%d-%d-%d","timestamp":"2025-12-23T12:00:00Z","category":"presence","payload":{"state":"on","room":"stue"}}',
		run_id or 0, tid or 0, counter)
	return wrk.format("POST", "/event", { ["Content-Type"] = "application/json" }, body)
end

function init(args)
	run_id = tonumber(args[1]) or os.time()
end
