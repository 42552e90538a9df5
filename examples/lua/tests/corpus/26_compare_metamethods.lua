-- __eq, __lt, __le
local Ver = {}
Ver.__index = Ver
local function ver(maj, min) return setmetatable({maj = maj, min = min}, Ver) end
Ver.__eq = function(a, b) return a.maj == b.maj and a.min == b.min end
Ver.__lt = function(a, b) return a.maj < b.maj or (a.maj == b.maj and a.min < b.min) end
Ver.__le = function(a, b) return not (b < a) end
local v1, v2, v3 = ver(1, 2), ver(1, 3), ver(1, 2)
print(v1 == v3, v1 ~= v3, v1 == v2, rawequal(v1, v3))
print(v1 < v2, v2 < v1, v1 <= v3, v2 <= v1, v1 > v2, v2 >= v1)

-- __eq only called when both are tables (or both userdata), and not for same object
local eqcalls = 0
local E = {__eq = function() eqcalls = eqcalls + 1; return true end}
local e1, e2 = setmetatable({}, E), setmetatable({}, E)
print(e1 == e2, e1 == e1, e1 == 1, e1 == "x", eqcalls)

-- __eq with only one operand having the metamethod
local plain = {}
print(e1 == plain, plain == e1, eqcalls)

-- __eq result converted to boolean
local E2 = {__eq = function() return "yes" end}
local a, b = setmetatable({}, E2), setmetatable({}, E2)
print(a == b, a ~= b)

-- __lt result converted to boolean
local LT = {__lt = function() return 1 end, __le = function() return nil end}
local p, q = setmetatable({}, LT), setmetatable({}, LT)
print(p < q, p > q, p <= q, p >= q)

-- mixed comparison with numbers via metamethod
local N = {__lt = function(x, y)
  local xv = type(x) == "table" and x.v or x
  local yv = type(y) == "table" and y.v or y
  return xv < yv
end}
local n5 = setmetatable({v = 5}, N)
print(n5 < 10, 3 < n5, n5 > 7)

-- sorting with __lt
local list = {ver(2, 0), ver(1, 5), ver(1, 10), ver(0, 9)}
table.sort(list)
local out = {}
for i, v in ipairs(list) do out[i] = v.maj .. "." .. v.min end
print(table.concat(out, " "))

-- comparing without metamethod errors
local ok, err = pcall(function() return {} < {} end)
print(ok, (err:gsub("^[^:]*:%d+: ", "")))
ok, err = pcall(function() return {} <= 1 end)
print(ok, (err:gsub("^[^:]*:%d+: ", "")))
ok, err = pcall(function() local x; return 1 < x end)
print(ok, (err:gsub("^[^:]*:%d+: ", "")))
ok, err = pcall(function() return "a" >= 1 end)
print(ok, (err:gsub("^[^:]*:%d+: ", "")))

-- only __le present: < still errors (whether __lt emulates __le is a compile option, so not tested)
local onlyle = {__le = function() return true end}
local o1, o2 = setmetatable({}, onlyle), setmetatable({}, onlyle)
print(o1 <= o2, o1 >= o2)
ok, err = pcall(function() return o1 < o2 end)
print(ok, (err:gsub("^[^:]*:%d+: ", "")))

-- equality of different types is always false, no error
print(1 == "1", {} == nil, nil == false, print == print)
