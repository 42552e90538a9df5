-- __metatable field protects metatables
local mt = {__metatable = "locked", __index = {secret = 42}}
local obj = setmetatable({}, mt)
print(getmetatable(obj))
print(obj.secret)
local ok, e = pcall(setmetatable, obj, {})
print(ok, (tostring(e):gsub("^[^:]*:%d+: ", "")))

-- __metatable can be any value, including false
local f = setmetatable({}, {__metatable = false})
print(getmetatable(f))
ok, e = pcall(setmetatable, f, nil)
print(ok, (tostring(e):gsub("^[^:]*:%d+: ", "")))

-- __metatable table
local fake = {fake = true}
local g = setmetatable({}, {__metatable = fake})
print(getmetatable(g) == fake, getmetatable(g).fake)

-- string metatable is not protected in standard Lua but has __index
print(getmetatable("").__index == string)

-- metatable shared between objects
local shared = {__index = {kind = "shared"}}
local a = setmetatable({}, shared)
local b = setmetatable({}, shared)
print(a.kind, b.kind, getmetatable(a) == getmetatable(b))
shared.__index.kind = "changed"
print(a.kind, b.kind)

-- metatable fields added after setmetatable still take effect (except __gc/__mode marking)
local late = {}
local c = setmetatable({}, late)
late.__index = function() return "late index" end
print(c.anything)
late.__tostring = function() return "late tostring" end
print(tostring(c))

-- replacing metatable
local m1 = {__index = {v = 1}}
local m2 = {__index = {v = 2}}
local d = setmetatable({}, m1)
print(d.v)
setmetatable(d, m2)
print(d.v)
setmetatable(d, nil)
print(d.v)

-- a metatable can be its own metatable
local selfmt = {}
selfmt.__index = selfmt
selfmt.hello = "self-hello"
setmetatable(selfmt, selfmt)
print(selfmt.hello, rawget(selfmt, "missing"))
-- looking up a missing key loops through __index forever: Lua detects it
local okl, errl = pcall(function() return selfmt.missing end)
print(okl, (errl:gsub("^[^:]*:%d+: ", "")))
