-- Approves completed sessions, each thread its own share, never the same session twice.
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Cookie"] = os.getenv("COOKIE")
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  body = "csrf_token=" .. os.getenv("CSRF")
  ids = {}
  local n = 0
  for line in io.lines(os.getenv("APPROVE_IDS")) do
    n = n + 1
    if n % 2 == tid % 2 then ids[#ids + 1] = line end
  end
  i = 0
end

request = function()
  i = i + 1
  local id = ids[(i - 1) % #ids + 1]
  return wrk.format("POST", "/sessions/" .. id .. "/approve", nil, body)
end
