-- Opens case pages, cycling over a list of session ids.
wrk.headers["Cookie"] = os.getenv("COOKIE")
local ids = {}
for line in io.lines(os.getenv("CASE_IDS")) do ids[#ids + 1] = line end
local i = 0
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/sessions/" .. ids[i])
end
