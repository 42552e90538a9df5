-- tables: array part, hash part, length, next, nesting
local t = {}
for i = 1, 10 do t[i] = i * i end
print(#t, t[1], t[10], t[11])
t[#t + 1] = "appended"
print(#t, t[11])
t[#t] = nil
print(#t)

-- string and other keys
local h = {}
h.name = "lua"
h["version"] = 5.4
h[true] = "yes"
h[false] = "no"
h[1.5] = "float key"
local fkey = function() end
h[fkey] = "function key"
local tkey = {}
h[tkey] = "table key"
print(h.name, h.version, h[true], h[false], h[1.5], h[fkey], h[tkey])
print(h[{}], h.missing)

-- integer key normalization
local n = {}
n[1] = "a"; n[2.0] = "b"; n["3"] = "string three"
print(n[1.0], n[2], n[3], n["3"], #n)

-- nested tables
local nested = {a = {b = {c = {d = "deep"}}}}
print(nested.a.b.c.d)
nested.a.b.c.e = {1, 2, 3}
print(#nested.a.b.c.e)

-- reference semantics
local r1 = {v = 1}
local r2 = r1
r2.v = 2
print(r1.v, r1 == r2, {} == {})

-- # on sequences built in different ways
local seq = {"a", "b", "c"}
print(#seq)
seq[4] = "d"
print(#seq)
local empty = {}
print(#empty)
local strlen = #"hello"
print(strlen)

-- removing from the end
local stack = {1, 2, 3, 4, 5}
while #stack > 0 do stack[#stack] = nil end
print(#stack, next(stack))

-- count entries (deterministic), never print order
local mixed = {1, 2, 3, x = 1, y = 2, [10] = 10, [-1] = -1, [0] = 0}
local cnt = 0
for _ in pairs(mixed) do cnt = cnt + 1 end
print("count", cnt, mixed[10], mixed[0], mixed[-1])

-- nil key / nan key errors, nil value read
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
local ok, e = pcall(function() local x = {}; x[nil] = 1 end)
print(ok, strip(e))
print(({})[nil])

-- next with invalid key
ok, e = pcall(next, {}, "nokey")
print(ok, strip(e))

-- table as set
local set = {}
for _, w in ipairs({"x", "y", "x", "z", "y"}) do set[w] = true end
local members = {}
for k in pairs(set) do members[#members + 1] = k end
table.sort(members)
print(table.concat(members, ","))

-- 2D grid
local grid = {}
for i = 1, 3 do grid[i] = {} for j = 1, 3 do grid[i][j] = (i - 1) * 3 + j end end
print(grid[2][3], grid[3][1], #grid, #grid[1])

-- table with many hash entries then cleared
local big = {}
for i = 1, 1000 do big["k" .. i] = i end
local s = 0
for _, v in pairs(big) do s = s + v end
print("sum", s)
for i = 1, 1000 do big["k" .. i] = nil end
print("empty", next(big))
