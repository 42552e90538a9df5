-- error values and pcall
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end

-- string error gets position info at level 1 (stripped here)
local ok, e = pcall(error, "direct") -- called from pcall: no Lua caller, so no position
print(ok, e)
ok, e = pcall(function() error("with position") end)
print(ok, strip(e), e:find(":%d+: with position$") ~= nil)
ok, e = pcall(function() error("no position", 0) end)
print(ok, e)

-- non-string error values are passed unchanged
ok, e = pcall(function() error({code = 404, msg = "not found"}) end)
print(ok, type(e), e.code, e.msg)
ok, e = pcall(function() error(42) end)
print(ok, e, math.type(e))
ok, e = pcall(function() error(nil) end)
print(ok, e)
ok, e = pcall(function() error() end)
print(ok, e)
ok, e = pcall(function() error(true) end)
print(ok, e)
ok, e = pcall(function() error(3.5) end)
print(ok, e)

-- error object with __tostring
local E = setmetatable({}, {__tostring = function() return "custom error object" end})
ok, e = pcall(error, E)
print(ok, tostring(e), e == E)

-- pcall returns all results on success
print(pcall(function() return 1, 2, 3 end))
print(pcall(function() end))
print(select('#', pcall(function() return nil, nil end)))

-- pcall with arguments
print(pcall(function(a, b) return a * b end, 6, 7))
print(pcall(math.floor, 3.7))

-- pcall of non-function
ok, e = pcall(42)
print(ok, strip(e))
-- pcall with no argument raises its own error (caught by an outer pcall)
ok, e = pcall(pcall)
print(ok, strip(e))

-- nested pcall
print(pcall(function()
  local ok1, e1 = pcall(error, "inner", 0)
  error("outer after " .. e1, 0)
end))

-- errors unwind through multiple frames
local function level3() error("deep error", 0) end
local function level2() level3() end
local function level1() level2() return "unreached" end
print(pcall(level1))

-- error rethrowing
local function try(f)
  local ok, err = pcall(f)
  if not ok then error("rethrown: " .. tostring(err), 0) end
end
print(pcall(try, function() error("original", 0) end))

-- error messages with numbers converted
ok, e = pcall(function() error("code " .. 12, 0) end)
print(e)

-- runtime errors are strings with position
ok, e = pcall(function() local t = nil; return t.x end)
print(ok, type(e), strip(e))

-- error in __index metamethod propagates
local bad = setmetatable({}, {__index = function(_, k) error("no field " .. k, 0) end})
print(pcall(function() return bad.zzz end))

-- after error, state is consistent
local counter = 0
for i = 1, 5 do
  local ok = pcall(function() counter = counter + 1; if i % 2 == 0 then error("even") end end)
end
print("counter", counter)
