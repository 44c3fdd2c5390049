-- wrk driver for the ingest benchmark: sends each line of a file made by generate.py once,
-- counts the answers by status, and measures from the first request to the last answer.
--
-- usage: wrk -t1 -c16 -d1800s --latency -s receipts.lua http://127.0.0.1:8100 -- <file> <marker>
--
-- When every line is answered the thread stops and writes <marker>; run.py then sends SIGINT so
-- that wrk prints its summary at once instead of sleeping out -d. Connections that ask for more
-- after the lines ran out send a cheap GET to the webhook URL (405), so no receipt is sent
-- twice; 405 answers are left out of the counts (they are in wrk's latency histogram, but there
-- are at most as many as connections).

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_usec; } timeval;
  int gettimeofday(timeval *tv, void *tz);
]]
local tv = ffi.new("timeval")
local function now_us()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end

local requests = {}
local total = 0
local next_index = 1
local marker = nil
answered = 0
counts = {}
started_us = 0
elapsed_us = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  marker = args[2]
  for line in io.lines(args[1]) do
    local url, id, ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if url then
      total = total + 1
      requests[total] = wrk.format("POST", url, {
        ["Content-Type"] = "application/json",
        ["webhook-id"] = id,
        ["webhook-timestamp"] = ts,
        ["webhook-signature"] = sig,
      }, body)
    end
  end
  filler = wrk.format("GET", "/api/v1/webhooks/tiktok/")
end

-- wrk calls request() once after init to inspect the script (script_verify_request); that
-- call must not use up a receipt.
local inspected = false

function request()
  if not inspected then
    inspected = true
    return requests[1] or filler
  end
  if next_index <= total then
    if next_index == 1 then
      started_us = now_us()
    end
    local r = requests[next_index]
    next_index = next_index + 1
    return r
  end
  return filler
end

function response(status, headers, body)
  if status ~= 405 then
    counts[status] = (counts[status] or 0) + 1
    answered = answered + 1
    if answered == total then
      elapsed_us = now_us() - started_us
      if marker then
        local f = io.open(marker, "w")
        f:write("done\n")
        f:close()
      end
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, requests_)
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    local parts = {}
    for status, n in pairs(c) do
      table.insert(parts, string.format('"%d": %d', status, n))
    end
    io.write(string.format(
      'RESULT {"answered": %d, "counts": {%s}, "elapsed_us": %d, "requests": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
      '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
      thread:get("answered"), table.concat(parts, ", "), thread:get("elapsed_us"),
      summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
      summary.errors.timeout, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean))
  end
end
