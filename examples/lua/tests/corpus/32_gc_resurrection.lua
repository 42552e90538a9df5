-- resurrection in finalizers; finalizer runs only once
collectgarbage("stop") -- only explicit full collections, so timing is deterministic
local calls = 0
local mt = {__gc = function(o)
  calls = calls + 1
  o.resurrected = true
  SAVED = o -- resurrect: store into a global
end}

local function create()
  setmetatable({value = 123}, mt)
end
create()
print("before collect", SAVED, calls)
collectgarbage("collect")
print("after collect", type(SAVED), calls)
print("object usable:", SAVED.value, SAVED.resurrected)
SAVED.value = SAVED.value + 1
print("modified:", SAVED.value)

-- drop it again: the finalizer is NOT called a second time
SAVED = nil
collectgarbage("collect")
collectgarbage("collect")
print("after second drop", SAVED, calls)

-- re-marking a resurrected object makes its finalizer run again
local count2 = 0
local mt2 = {}
mt2.__gc = function(o)
  count2 = count2 + 1
  if count2 < 3 then
    HOLD = o
  end
end
local function create2() setmetatable({}, mt2) end
create2()
collectgarbage("collect")
print("round 1", count2, HOLD ~= nil)
local h = HOLD
HOLD = nil
setmetatable(h, mt2) -- mark again
h = nil
collectgarbage("collect")
print("round 2", count2, HOLD ~= nil)
HOLD = nil
collectgarbage("collect")
print("round 3 (not re-marked)", count2, HOLD)

-- objects reachable from a resurrected object are also kept
local mt3 = {__gc = function(o) KEEP = o end}
local function create3()
  local child = {label = "child"}
  setmetatable({child = child}, mt3)
end
create3()
collectgarbage("collect")
print("child alive:", KEEP.child.label)
KEEP = nil

-- finalizer arguments: the object itself
local seen
local function create4()
  local o = {id = "me"}
  setmetatable(o, {__gc = function(x) seen = x.id end})
end
create4()
collectgarbage("collect")
print("seen", seen)

-- an object still alive at program end is finalized when the state closes
ALIVE_TOO = setmetatable({}, {__gc = function() print("finalized at exit (second)") end})
ALIVE_AT_EXIT = setmetatable({}, {__gc = function() print("finalized at exit (first)") end})
print("end of main chunk")
