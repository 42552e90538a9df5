-- multiple assignment semantics
local a, b, c = 1, 2
print(a, b, c)
a, b = 10, 20, 30
print(a, b)

-- swap
a, b = b, a
print(a, b)

-- all expressions evaluated before assignment
local i = 1
local t = {}
i, t[i] = i + 1, "x"
print(i, t[1], t[2])

-- rotate
local x, y, z = 1, 2, 3
x, y, z = y, z, x
print(x, y, z)

-- function call only expanded in last position
local function three() return 1, 2, 3 end
local p, q, r, s = three()
print(p, q, r, s)
p, q, r, s = three(), 10
print(p, q, r, s)
p, q, r, s = 0, three()
print(p, q, r, s)
-- parentheses truncate to one value
p, q = (three())
print(p, q)

-- assignment into table fields and globals together
local tt = {}
G1, tt.a, tt["b"], tt[3] = "g", "fa", "fb", "f3"
print(G1, tt.a, tt.b, tt[3])

-- nested table assignment
local m = {inner = {}}
m.inner.v, m.w = 5, 6
print(m.inner.v, m.w)

-- multiple assignment with nil fill
local u, v, w = nil
print(u, v, w)

-- chained references
local arr = {1, 2, 3}
local k = 1
k, arr[k] = 2, 100
print(k, arr[1], arr[2])

-- assignment order of evaluation with function calls
local log = {}
local function f(n) log[#log + 1] = n; return n end
local r1, r2, r3 = f(1), f(2), f(3)
print(r1, r2, r3, table.concat(log, ","))

-- locals declared in same statement are not visible in the expressions
local val = "outer"
do
  local val, other = "inner", val
  print(val, other)
end
