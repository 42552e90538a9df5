-- rawget, rawset, rawequal, rawlen, setmetatable return, getmetatable
local mt = {
  __index = function(_, k) return "meta-" .. k end,
  __newindex = function() error("blocked") end,
  __len = function() return 100 end,
  __eq = function() return true end,
}
local t = setmetatable({}, mt)
print(t.foo, rawget(t, "foo"))
print(pcall(function() t.x = 1 end) == false)
print(rawset(t, "x", 1) == t, rawget(t, "x"), t.x)
print(#t, rawlen(t), rawlen({1, 2}), rawlen("hello"))

local u = setmetatable({}, mt)
print(t == u, rawequal(t, u), rawequal(t, t))
print(rawequal(1, 1.0), rawequal("a", "a"), rawequal(nil, nil), rawequal(0, false))

-- setmetatable returns its first argument
local x = {}
print(setmetatable(x, {}) == x)
print(getmetatable(x) ~= nil)
print(setmetatable(x, nil) == x, getmetatable(x))

-- getmetatable of non-tables
print(getmetatable(1), getmetatable(nil), getmetatable(print))
print(getmetatable("s") == getmetatable("other"), type(getmetatable("s")))

-- setmetatable argument errors
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
local ok, e = pcall(setmetatable, 1, {})
print(ok, strip(e))
ok, e = pcall(setmetatable, {}, 1)
print(ok, strip(e))
ok, e = pcall(rawget, 1, 1)
print(ok, strip(e))
ok, e = pcall(rawlen, 5)
print(ok, strip(e))

-- rawset with nil value removes
local r = {a = 1}
rawset(r, "a", nil)
print(r.a, next(r))

-- rawset with nil key errors
ok, e = pcall(rawset, {}, nil, 1)
print(ok, strip(e))

-- rawget with integer-valued float
local arr = {10, 20}
print(rawget(arr, 1.0), rawget(arr, 2), rawget(arr, 3))

-- raw access does not trigger __index on missing
local counter = 0
local watched = setmetatable({}, {__index = function() counter = counter + 1 end})
local _ = watched.a
local _ = rawget(watched, "a")
local _ = watched.b
print("index calls", counter)
