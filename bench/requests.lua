-- wrk script of load.py: requests read from a file, and the figures printed as JSON.
--
-- Usage: wrk -t T -c C -d D -s requests.lua URL -- FILE T [ORIGIN]
-- FILE holds one request a line, fields separated by tabs: method, path, cookie, CSRF token,
-- body and Authorization header (the last four may be empty). With ORIGIN, every request that carries a CSRF
-- token also sends it as its Origin header, as a browser does (Django checks it over HTTPS). Thread k of T sends lines k, k+T, k+2T... in
-- turn (all of them when there are fewer lines than threads); a thread that reaches the end of its lines starts again and counts one "wrap".

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local requests = {}
local position = 0
wraps = 0

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

local origin = nil

local function read(file, count, mine)
   local index = 0
   for line in io.lines(file) do
      if not mine or index % count == id then
         local f = split(line)
         local headers = {}
         if f[3] ~= "" then headers["Cookie"] = f[3] end
         if f[4] ~= "" then headers["X-CSRFToken"] = f[4] end
         if f[4] ~= "" and origin then headers["Origin"] = origin end
         if f[5] ~= "" then headers["Content-Type"] = "application/json" end
         if f[6] and f[6] ~= "" then headers["Authorization"] = f[6] end
         local body = nil
         if f[5] ~= "" then body = f[5] end
         table.insert(requests, wrk.format(f[1], f[2], headers, body))
      end
      index = index + 1
   end
end

function init(args)
   local file, count = args[1], tonumber(args[2])
   origin = args[3]
   read(file, count, true)
   if #requests == 0 then
      -- Fewer lines than threads: every thread sends them all.
      read(file, count, false)
   end
   if #requests == 0 then
      error("no request in " .. file)
   end
end

function request()
   position = position + 1
   if position > #requests then
      position = 1
      wraps = wraps + 1
   end
   return requests[position]
end

function done(summary, latency, requests)
   local wrapped = 0
   for _, thread in ipairs(threads) do
      wrapped = wrapped + (thread:get("wraps") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "wraps": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
      wrapped))
end
