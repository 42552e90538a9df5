-- table constructor forms
local t = {1, 2, 3, n = 3, ["key with space"] = true, [10] = "ten", [1 + 10] = "eleven"}
print(t[1], t[2], t[3], t.n, t["key with space"], t[10], t[11])

-- (repeated keys in a constructor have undefined assignment order, so none here)
local a = {[0] = "zero", "one", [-1] = "minus one"}
print(a[0], a[1], a[-1], #a)

-- trailing separators and semicolons
local b = {1, 2, 3,}
local c = {1; 2; 3;}
local d = {x = 1; y = 2, z = 3;}
print(#b, #c, d.x + d.y + d.z)

-- mixed
local m = {"a", x = "b", "c"; [4] = "four", "d"}
print(m[1], m[2], m[3], m[4], m.x)

-- expression keys
local k = "dyn"
local e = {[k] = 1, [k .. "2"] = 2, [2 * 3] = 6, [true] = "t"}
print(e.dyn, e.dyn2, e[6], e[true])

-- nested constructors
local nested = {{1, 2}, {3, 4, {5, 6}}, name = {first = "A", last = "B"}}
print(nested[1][2], nested[2][3][1], nested.name.first .. nested.name.last)

-- function call expansion in last position only
local function f() return 1, 2, 3 end
local x1 = {f()}
local x2 = {f(), f()}
local x3 = {f(), nil}
local x4 = {(f())}
print(#x1, #x2, x3[1], x3[2], #x4)
local x5 = {f(), k = "v"}
print(x5[1], x5[2], x5.k)

-- varargs in constructor
local function pack(...) return {n = select('#', ...), ...} end
local p = pack("p", "q")
print(p.n, p[1], p[2])

-- empty constructor and length
print(#{}, #{nil}, #{1, 2, nil, 4} >= 2)

-- constructor with float keys normalized
local fl = {[1.0] = "one", [2.5] = "two and half"}
print(fl[1], fl[2.5])

-- string keys that look like identifiers
local s = {["end"] = 1, ["if"] = 2, ["nil"] = 3}
print(s["end"], s["if"], s["nil"])

-- constructor evaluation order
local log = {}
local function L(v) log[#log + 1] = tostring(v) return v end
local o = {L(1), L(2), x = L("x"), L(3)}
print(table.concat(log, " "))
print(o[1], o[2], o[3], o.x)

-- large constructor
local big = {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,
  21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,
  41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60}
print(#big, big[60])
