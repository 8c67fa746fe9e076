-- wrk script for bench/http_rush.py: every request registers a different person with their own token.
--
--   wrk -t2 -c64 -d<seconds + grace> --latency -s bench/rush.lua http://127.0.0.1:PORT \
--       -- TOKENS_FILE PATHS_FILE SECONDS THREADS REUSE IDLE_DIR
--
-- TOKENS_FILE holds one API token a line, PATHS_FILE one request path a line (the hot event's
-- registrations, or one per event). Thread i of THREADS takes tokens i, i+THREADS, i+2*THREADS...
-- so no two requests carry the same token; token n goes to path n modulo the number of paths.
-- With REUSE 1 a thread starts its tokens over when they run out (for an endpoint that keeps nothing).
--
-- wrk stops at -d whatever is in flight, and a registration cut off there may still commit without
-- its 201 reaching anyone. So each thread sends registrations for SECONDS only, then sends nothing
-- more (an empty request leaves the connection idle) while the answers in flight come back during
-- the grace wrk's -d adds. A thread whose every request has been answered after that writes the
-- file IDLE_DIR/idle-<thread>; once every thread has, bench/http_rush.py ends wrk with SIGINT
-- (wrk then reports as at -d), so the grace lasts as long as the slowest answer and no longer.
-- The figures (statuses, the span from first request to last answer, what was still in flight at
-- the end) are printed by done() as "rush <name> <value>" lines.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1

local function now()
  local t = ffi.new("bench_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, t)
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(out, line) end
  end
  return out
end

function init(args)
  local all = lines(args[1])
  paths = lines(args[2])
  seconds = tonumber(args[3])
  stride = tonumber(args[4])
  reuse = args[5] == "1"
  idle_dir = args[6]
  marked = false
  tokens = {}
  for n = id + 1, #all, stride do
    table.insert(tokens, all[n])
  end
  sent, answered, cursor = 0, 0, 0
  first_sent, last_answer = 0, 0
  past_deadline = false
  statuses = {}
  exhausted = 0
  body = "{}"
  -- wrk calls request() once on thread 0 before connecting, only to check what it returns.
  checking = id == 0
end

local function idle_if_done()
  if not marked and sent == answered then
    marked = true
    if idle_dir then
      local f = io.open(idle_dir .. "/idle-" .. id, "w")
      f:close()
    end
  end
end

function request()
  if checking then
    checking = false
    return wrk.format("POST", paths[1], { ["Content-Type"] = "application/json" }, body)
  end
  local t = now()
  if first_sent == 0 then first_sent = t end
  if t - first_sent >= seconds then
    past_deadline = true
    idle_if_done()
    return ""
  end
  if cursor >= #tokens then
    if not reuse then
      exhausted = 1
      past_deadline = true
      idle_if_done()
      return ""
    end
    cursor = 0
  end
  cursor = cursor + 1
  sent = sent + 1
  local path = paths[((id + (cursor - 1) * stride) % #paths) + 1]
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. tokens[cursor],
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  answered = answered + 1
  last_answer = now()
  statuses[status] = (statuses[status] or 0) + 1
  if past_deadline then idle_if_done() end
end

function done(summary, latency, requests)
  local totals, sent_all, answered_all = {}, 0, 0
  local began, ended, exhausted_any = nil, 0, 0
  for _, thread in ipairs(threads) do
    sent_all = sent_all + thread:get("sent")
    answered_all = answered_all + thread:get("answered")
    local first = thread:get("first_sent")
    if first > 0 and (began == nil or first < began) then began = first end
    ended = math.max(ended, thread:get("last_answer"))
    exhausted_any = math.max(exhausted_any, thread:get("exhausted"))
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("rush status_%d %d\n", status, count))
  end
  io.write(string.format("rush sent %d\n", sent_all))
  io.write(string.format("rush answered %d\n", answered_all))
  io.write(string.format("rush in_flight_at_stop %d\n", sent_all - answered_all))
  io.write(string.format("rush span_s %.6f\n", began and (ended - began) or 0))
  io.write(string.format("rush tokens_exhausted %d\n", exhausted_any))
  local e = summary.errors
  io.write(string.format("rush socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("rush socket_errors_detail connect=%d,read=%d,write=%d,timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("rush p%s_ms %.3f\n", tostring(p), latency:percentile(p) / 1000))
  end
  io.write(string.format("rush max_ms %.3f\n", latency.max / 1000))
end
