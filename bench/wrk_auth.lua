-- wrk script: the shared reference script (env BASE_SCRIPT, e.g. /work/shared/bench/post_event.lua)
-- plus tracklake's "Authorization: Bearer $WRITE_KEY" header, so the collector runs with
-- authentication on as in production. Everything else (body, path, RESULT line) is the reference's.
--
-- The reference events carry an event_id, the same in every request (in the drop-in bodies of
-- bench/protocols.py: Segment's messageId, Snowplow's eid). The collector drops an event whose
-- client id it accepted within dedup.window (a retry), so resending that body would measure
-- duplicates, not ingestion: each event of each request gets its own id instead, in the same
-- 36-character UUID form (thread number, request counter, event index), so that bodies keep their
-- size. A body without ids is sent as it is.
dofile(assert(os.getenv("BASE_SCRIPT"), "set BASE_SCRIPT"))
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("WRITE_KEY"), "set WRITE_KEY")

-- The body split around its ids: pieces[1] id pieces[2] id ... pieces[n].
local pieces = {}
do
  local pos = 1
  local keys = { '"event_id":"', '"messageId":"', '"eid":"' }
  while true do
    local s, e
    for _, key in ipairs(keys) do
      local ks, ke = string.find(wrk.body, key, pos, true)
      if ks and (not s or ks < s) then s, e = ks, ke end
    end
    if not s then break end
    local close = string.find(wrk.body, '"', e + 1, true)
    if close - e - 1 ~= 36 then break end  -- not the UUID form: leave the rest as it is
    pieces[#pieces + 1] = string.sub(wrk.body, pos, e)
    pos = close
  end
  pieces[#pieces + 1] = string.sub(wrk.body, pos)
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local counter = 0
if #pieces > 1 then
  function request()
    counter = counter + 1
    local parts = {}
    for i = 1, #pieces - 1 do
      parts[#parts + 1] = pieces[i]
      parts[#parts + 1] = string.format("%08x-%04x-7000-8000-%012x", thread_number or 0, i, counter)
    end
    parts[#parts + 1] = pieces[#pieces]
    return wrk.format(nil, nil, nil, table.concat(parts))
  end
end
