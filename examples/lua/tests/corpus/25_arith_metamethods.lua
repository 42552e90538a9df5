-- arithmetic and bitwise metamethods
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
local function str(v) if getmetatable(v) == V then return "(" .. v.x .. "," .. v.y .. ")" end return tostring(v) end
V.__add = function(a, b)
  if type(a) == "number" then return vec(a + b.x, a + b.y) end
  if type(b) == "number" then return vec(a.x + b, a.y + b) end
  return vec(a.x + b.x, a.y + b.y)
end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, b)
  if type(a) == "number" then a, b = b, a end
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__div = function(a, b) return vec(a.x / b, a.y / b) end
V.__mod = function(a, b) return vec(a.x % b, a.y % b) end
V.__pow = function(a, b) return vec(a.x ^ b, a.y ^ b) end
V.__unm = function(a) return vec(-a.x, -a.y) end
V.__idiv = function(a, b) return vec(a.x // b, a.y // b) end
local a, b = vec(1, 2), vec(3, 4)
print(str(a + b), str(a + 10), str(10 + a), str(b - a))
print(a * b, str(a * 3), str(3 * a))
print(str(b / 2), str(b % 3), str(a ^ 2), str(-a), str(b // 2))

-- bitwise metamethods
local B = {}
local function bits(n) return setmetatable({n = n}, B) end
local function val(x) return type(x) == "table" and x.n or x end
B.__band = function(a, b) return bits(val(a) & val(b)) end
B.__bor = function(a, b) return bits(val(a) | val(b)) end
B.__bxor = function(a, b) return bits(val(a) ~ val(b)) end
B.__shl = function(a, b) return bits(val(a) << val(b)) end
B.__shr = function(a, b) return bits(val(a) >> val(b)) end
B.__bnot = function(a) return bits(~val(a)) end
local x = bits(12)
print((x & 10).n, (x | 3).n, (x ~ 5).n, (x << 2).n, (x >> 2).n, (~x).n)
print((6 & x).n, (1 << bits(3)).n)

-- metamethod lookup: left operand first, then right
local L = setmetatable({}, {__add = function() return "left" end})
local R = setmetatable({}, {__add = function() return "right" end})
print(L + R, R + L, L + 1, 1 + R)

-- metamethods receive operands in original order
local order = setmetatable({}, {__sub = function(p, q)
  return (type(p) == "table" and "T" or tostring(p)) .. "-" .. (type(q) == "table" and "T" or tostring(q))
end})
print(order - 5, 5 - order)

-- __unm and __bnot receive operand twice (second is the same operand)
local u = setmetatable({}, {__unm = function(p, q) return rawequal(p, q) end})
print(-u)

-- missing metamethod error message
local ok, e = pcall(function() local t = {}; return t + 1 end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() local t = {}; return t & 1 end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() local t = setmetatable({}, {}); return -t end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))

-- metamethods for string operands with numeric strings still use coercion
print("10" + 5, "3" * "4")

-- metamethod returning multiple values: only first is used
local multi = setmetatable({}, {__add = function() return 1, 2, 3 end})
print(multi + multi)

-- metamethod on numbers-with-tables mixed chain
local acc = vec(0, 0)
for i = 1, 5 do acc = acc + vec(i, i * i) end
print(str(acc))
