-- collectgarbage options and deterministic os.time/os.clock usage
print(collectgarbage("isrunning"))
collectgarbage("stop")
print(collectgarbage("isrunning"))
collectgarbage("restart")
print(collectgarbage("isrunning"))
print(collectgarbage("collect"), collectgarbage())
print(type(collectgarbage("count")), math.type(collectgarbage("count")))
print(collectgarbage("count") > 0)
print(type(collectgarbage("step")))
print(type(collectgarbage("step", 0)))

-- a full collection frees garbage: count after collecting large garbage is smaller
collectgarbage("collect")
local function garbage()
  local t = {}
  for i = 1, 20000 do t[i] = {i} end
  return #t
end
garbage()
local before = collectgarbage("count")
collectgarbage("collect")
local after = collectgarbage("count")
print("collect reduced memory", after < before)

-- stop prevents automatic collection but explicit collect still works
collectgarbage("stop")
local weak = setmetatable({}, {__mode = "v"})
weak[1] = {}
collectgarbage("collect")
print("explicit collect while stopped", weak[1], collectgarbage("isrunning"))
collectgarbage("restart")
print(collectgarbage("isrunning"))

-- incremental / generational switches return the previous mode
local prev = collectgarbage("incremental")
print(prev == "incremental" or prev == "generational")
print(collectgarbage("generational"))
print(collectgarbage("incremental"))

-- invalid option
print(pcall(collectgarbage, "bogus"))

-- os.time and os.clock: only types and properties
print(type(os.time()), math.type(os.time()))
print(os.clock() >= 0, type(os.clock()))
print(os.time() > 0)
print(os.time({year = 2000, month = 1, day = 1, hour = 12}) == os.time({year = 2000, month = 1, day = 1, hour = 12}))
local t1 = os.time({year = 2020, month = 1, day = 1, hour = 12})
local t2 = os.time({year = 2020, month = 1, day = 2, hour = 12})
print("one day in seconds", os.difftime(t2, t1), t2 - t1)
print(type(os.date()), os.date("%Y-%m-%d", t1))
local c1 = os.clock()
local x = 0
for i = 1, 1000 do x = x + i end
print(os.clock() >= c1, x)
