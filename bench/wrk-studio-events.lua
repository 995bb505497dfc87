-- wrk script for bench/ingest-bench.ts: POSTs unique Studio step.ended CloudEvents to /events,
-- BATCH events per request (env BATCH), eight steps per execution, each thread its own id space.
-- Unique ids matter: duplicates are cheaper for the store than new events, so ids also carry a
-- per-run prefix (env RUN, else the start time): several wrk runs against one store never repeat
-- an id or an execution.
local batch = tonumber(os.getenv("BATCH") or "1")
local run = string.format("%08x", tonumber(os.getenv("RUN") or os.time()) % 4294967296)
local counter = 0
local thread_id = 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
local function hex32(n) return run .. string.format("%024x", n) end
local function event(n)
  local exec = math.floor(n / 8)
  return string.format('{"specversion":"1.0","id":"EV%s","type":"com.twilio.studio.flow.step.ended","source":"/v2/Flows/FW%s/Executions/FN%s","time":"2025-01-01T10:%02d:%02d.000Z","dataschema":"https://events-schemas.twilio.com/Studio.FlowStepEvent/1","datacontenttype":"application/json","data":{"step_sid":"FT%s","execution_sid":"FN%s","account_sid":"AC00000000000000000000000000000001","flow_sid":"FW%s","name":"keypress","transitioned_from":"gather_%d","transitioned_to":"gather_%d","parent_step_sid":null,"date_created":"2025-01-01T10:%02d:%02d.000Z","flow_revision":3}}',
    hex32(n), hex32(exec % 7), hex32(exec), math.floor(n / 60) % 60, n % 60, hex32(n), hex32(exec), hex32(exec % 7), n % 8, n % 8 + 1, math.floor(n / 60) % 60, n % 60)
end
function request()
  local parts = {}
  for i = 1, batch do
    counter = counter + 1
    parts[i] = event(tid * 100000000 + counter)
  end
  return wrk.format("POST", "/events", { ["Content-Type"] = "application/json" }, "[" .. table.concat(parts, ",") .. "]")
end
