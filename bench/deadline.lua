-- wrk script of deadline.py: candidates each uploading their documents, then submitting.
--
-- Usage: wrk -t C -c C -d D -s deadline.lua URL -- PLAN PREFIX SUFFIX LOGDIR C [ORIGIN]
-- One connection per thread, so that each thread's requests go one after the other: thread
-- k of C plays candidates k, k+C, k+2C... of PLAN in turn, each one's uploads then its
-- submission. PLAN holds one candidate a line, fields separated by tabs: index, reference,
-- session cookie, CSRF token, then one field per document, "code" or "code|valid_until".
-- A document's bytes are PREFIX, a tag naming the candidate and the document, and SUFFIX
-- (deadline.py computes the same bytes to check what was stored). Each answer is written
-- to LOGDIR/thread-k.log: kind, candidate, document, status, microseconds, bytes sent.
-- A thread left without candidates sends the bare view, logged as "idle". wrk calls
-- request() once on the first thread before the load, to check what it returns, and
-- sends nothing of it: that call is answered without moving on. With ORIGIN, each request
-- sends it as its Origin header, as a browser does (Django checks it over HTTPS). A request
-- that no application process answered (502 or 504 from a proxy: one died with it) is
-- sent again, as a person would.

local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_nsec; } deadline_timespec;
   int clock_gettime(int clock, deadline_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("deadline_timespec")

local function now_us()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
   return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
end

local BOUNDARY = "deadline-bench-boundary-7d1f0c"
local candidates = {}
local prefix, suffix, log
local current, step = 0, 0
local pending = nil
local origin = nil
local resend = nil

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

local function slurp(path)
   local file = assert(io.open(path, "rb"))
   local data = file:read("*a")
   file:close()
   return data
end

function init(args)
   local plan, threads = args[1], tonumber(args[5])
   prefix, suffix = slurp(args[2]), slurp(args[3])
   origin = args[6]
   for line in io.lines(plan) do
      local f = split(line)
      if tonumber(f[1]) % threads == id then
         local documents = {}
         for i = 5, #f do
            local code, valid = f[i]:match("^([^|]*)|?(.*)$")
            table.insert(documents, {code = code, valid = valid})
         end
         table.insert(candidates, {
            index = tonumber(f[1]), reference = f[2], cookie = f[3], csrf = f[4],
            documents = documents,
         })
      end
   end
   log = assert(io.open(args[4] .. "/thread-" .. id .. ".log", "w"))
   log:setvbuf("line")
end

local function tag(candidate, document)
   return string.format("C%08dD%02d", candidate, document)
end

local function part(name, value)
   return "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; name=\"" .. name
      .. "\"\r\n\r\n" .. value .. "\r\n"
end

local function upload(candidate, number)
   local document = candidate.documents[number]
   local body = {}
   if document.valid ~= "" then
      table.insert(body, part("valid_until", document.valid))
   end
   table.insert(body, "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; name=\"file\"; "
      .. "filename=\"" .. document.code .. ".pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
   table.insert(body, prefix .. tag(candidate.index, number) .. suffix)
   table.insert(body, "\r\n--" .. BOUNDARY .. "--\r\n")
   local headers = {
      ["Cookie"] = candidate.cookie,
      ["X-CSRFToken"] = candidate.csrf,
      ["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY,
      ["Origin"] = origin,
   }
   local path = "/api/v1/documents/" .. candidate.reference .. "/" .. document.code
   return wrk.format("POST", path, headers, table.concat(body))
end

local function submit(candidate)
   local headers = {
      ["Cookie"] = candidate.cookie, ["X-CSRFToken"] = candidate.csrf, ["Origin"] = origin,
   }
   return wrk.format("POST", "/api/v1/applications/" .. candidate.reference .. "/submit", headers)
end

local function record(status)
   log:write(string.format("%s\t%d\t%d\t%d\t%d\t%d\n", pending.kind, pending.candidate,
      pending.document, status, math.floor(now_us() - pending.started), pending.bytes))
   pending = nil
end

local verified = false

function request()
   if id == 0 and not verified then
      -- wrk calls request() once on the first thread to check it, and sends nothing.
      verified = true
      local candidate = candidates[1]
      if candidate == nil then return wrk.format("GET", "/bench/bare") end
      return submit(candidate)
   end
   if pending ~= nil then
      -- The connection was lost before the answer came (wrk connects again): no answer.
      record(0)
   end
   if resend ~= nil then
      current, step, resend = resend.current, resend.step - 1, nil
   end
   local candidate = candidates[current + 1]
   if candidate == nil then
      pending = {kind = "idle", candidate = -1, document = 0, bytes = 0, started = now_us()}
      return wrk.format("GET", "/bench/bare")
   end
   step = step + 1
   local position, sent = current, step
   local text, kind, document, bytes
   if step <= #candidate.documents then
      kind, document = "upload", step
      bytes = #prefix + #tag(0, 0) + #suffix
      text = upload(candidate, step)
   else
      kind, document, bytes = "submit", 0, 0
      text = submit(candidate)
      current, step = current + 1, 0
   end
   pending = {
      kind = kind, candidate = candidate.index, document = document, bytes = bytes,
      started = now_us(), current = position, step = sent,
   }
   return text
end

function response(status, headers, body)
   if pending ~= nil then
      if (status == 502 or status == 504) and pending.step ~= nil then
         resend = {current = pending.current, step = pending.step}
      end
      record(status)
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d}\n',
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
end
