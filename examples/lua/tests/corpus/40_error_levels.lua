-- error levels 1 and 2 (position info depends on the level; we compare line numbers)
local function lineof(msg) return tonumber(msg:match(":(%d+):")) end

local function check(x)
  if type(x) ~= "number" then
    error("expected number, got " .. type(x), 2)  -- blame the caller
  end
  return x
end

local function check1(x)
  if type(x) ~= "number" then
    error("level 1 error")  -- line 13: blame this function
  end
end

local ok, e = pcall(function()
  check("str")  -- line 18
end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
print("level 2 blames line", lineof(e))

ok, e = pcall(function() check1({}) end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
print("level 1 blames line", lineof(e))

-- level 0: no position
ok, e = pcall(function() error("no pos", 0) end)
print(ok, e, lineof(e))

-- level 3
local function inner() error("level three", 3) end
local function middle() inner() end
ok, e = pcall(function()
  middle()  -- line 35
end)
print("level 3 blames line", lineof(e), (e:gsub("^[^:]*:%d+: ", "")))

-- level 1 from error called directly by pcall (a C function): no position
ok, e = pcall(error, "at C level", 1)
print(ok, e)
-- level 2 from there points at the Lua code that called pcall
ok, e = pcall(error, "caller of pcall", 2)
print(ok, (e:gsub("^[^:]*:%d+: ", "")), lineof(e) ~= nil)

-- argument validation pattern
local function divide(a, b)
  if b == 0 then error("division by zero", 2) end
  return a / b
end
print(pcall(divide, 1, 0))
ok, e = pcall(function() local r = divide(1, 0); return r end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")), lineof(e))

-- chunk name part exists and ends with a colon-number-colon
ok, e = pcall(function() error("x") end)
print(e:match("^[^:]*:%d+: x$") ~= nil)

-- assert raises its message like error(msg, 1): string messages get position info
ok, e = pcall(function() assert(false, "assert message") end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")), lineof(e) ~= nil)
ok, e = pcall(function() assert(nil) end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
-- non-string assert messages are passed unchanged
ok, e = pcall(function() assert(false, {why = "table message"}) end)
print(ok, type(e), e.why)
