-- __len, __concat, __tostring
local L = setmetatable({1, 2, 3}, {__len = function(t) return 42 end})
print(#L, rawlen(L))

local S = setmetatable({}, {__len = function() return "not a number" end})
print(#S)

-- __len used by ipairs? no; ipairs uses __index only. but table.insert uses #
local counted = setmetatable({}, {__len = function(t) return rawlen(t) end})
table.insert(counted, "a"); table.insert(counted, "b")
print(#counted, counted[1], counted[2])

-- string length unaffected by metatables
print(#"abc", rawlen("abcd"))

-- __concat
local C = {}
C.__concat = function(a, b)
  local av = type(a) == "table" and ("<" .. a.v .. ">") or a
  local bv = type(b) == "table" and ("<" .. b.v .. ">") or b
  return av .. bv
end
local c1 = setmetatable({v = "one"}, C)
local c2 = setmetatable({v = "two"}, C)
print(c1 .. c2, c1 .. "s", "s" .. c1, 1 .. c1)
print("a" .. c1 .. "b" .. c2 .. "c")

-- __concat returning non-string
local num = setmetatable({}, {__concat = function() return 99 end})
print(num .. "x", math.type(num .. "x"))

-- __tostring
local T = setmetatable({name = "thing"}, {__tostring = function(t) return "Thing(" .. t.name .. ")" end})
print(T)
print(tostring(T))
print("via concat? " .. tostring(T))

-- __tostring must return a string
local bad = setmetatable({}, {__tostring = function() return 5 end})
local ok, e = pcall(tostring, bad)
print(ok, e)

-- __tostring used by print with multiple args
local P = {__tostring = function(p) return "P" .. p.i end}
print(setmetatable({i = 1}, P), setmetatable({i = 2}, P), "end")

-- __name affects default tostring but we only check the prefix
local named = setmetatable({}, {__name = "MyType"})
print((tostring(named):gsub(": 0x%x+$", ": ADDR"):gsub(": %x+$", ": ADDR")))

-- tostring of basic values
print(tostring(nil), tostring(true), tostring(false), tostring(12), tostring("s"))
print(type(tostring(print)), tostring(print):sub(1, 9))
print(tostring({}):sub(1, 6))

-- concat errors
ok, e = pcall(function() local t = {}; return t .. "x" end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() local t = {}; return "x" .. t end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))

-- __len on table used in numeric for
local Five = setmetatable({}, {__len = function() return 5 end})
local s = 0
for i = 1, #Five do s = s + i end
print(s)
