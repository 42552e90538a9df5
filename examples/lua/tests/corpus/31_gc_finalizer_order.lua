-- __gc finalizers: order and marking rules
collectgarbage("stop") -- only explicit full collections, so timing is deterministic
local log = {}
local gcmt = {__gc = function(o) log[#log + 1] = o.name end}

local function make(names)
  for _, n in ipairs(names) do setmetatable({name = n}, gcmt) end
end

-- objects marked later are finalized first within one cycle
make({"first", "second", "third", "fourth"})
collectgarbage("collect")
print("order:", table.concat(log, " "))

-- finalizer runs during collectgarbage("collect"), only for unreachable objects
log = {}
local keep = setmetatable({name = "kept"}, gcmt)
make({"dropped"})
collectgarbage("collect")
print("after collect:", table.concat(log, " "), keep.name)
keep = nil
collectgarbage("collect")
print("after drop:", table.concat(log, " "))

-- __gc must be present when setmetatable is called
log = {}
local function lateGc()
  local mt = {}
  setmetatable({name = "late"}, mt)
  mt.__gc = function(o) log[#log + 1] = o.name end -- too late: object not marked
  local mt2 = {__gc = true} -- placeholder value marks the object
  local o = setmetatable({name = "placeholder"}, mt2)
  mt2.__gc = function(x) log[#log + 1] = x.name end
end
lateGc()
collectgarbage("collect")
print("late marking:", table.concat(log, " "))

-- re-setting a metatable with __gc re-marks the object
log = {}
local function remark()
  local o = setmetatable({name = "A"}, {})
  setmetatable(o, gcmt)
  local p = setmetatable({name = "B"}, gcmt)
  setmetatable(p, gcmt)   -- already marked; stays in its position
end
remark()
collectgarbage("collect")
print("remark:", table.concat(log, " "))

-- finalizers see their object's fields intact; objects referenced from dying objects too
log = {}
local function chain()
  local inner = {name = "inner-data"}
  setmetatable({name = "outer", ref = inner}, {__gc = function(o) log[#log + 1] = o.name .. "->" .. o.ref.name end})
end
chain()
collectgarbage("collect")
print("chain:", table.concat(log, " "))

-- finalizer order with many objects: strictly reverse creation order
log = {}
local function many()
  for i = 1, 10 do setmetatable({name = tostring(i)}, gcmt) end
end
many()
collectgarbage("collect")
print("many:", table.concat(log, ","))

-- removing __gc from metatable after marking: finalizer not called (field looked up at finalization time)
log = {}
local function removed()
  local mt = {__gc = function(o) log[#log + 1] = "should not run" end}
  setmetatable({name = "x"}, mt)
  mt.__gc = nil
end
removed()
collectgarbage("collect")
print("removed __gc:", #log)

-- collectgarbage("collect") returns 0
print(collectgarbage("collect"))
