-- integer vs float subtypes
print(math.type(1), math.type(1.0), math.type("1"), math.type(nil))
print(1 == 1.0, math.type(1) == math.type(1.0))
print(type(1), type(1.0))
print(3 // 0.0, -3 // 0.0, 3 % math.huge)
print(-0.0 == 0, 0.0 == -0.0)
print(1e2, 100, 1e2 == 100)
print(10 / 2, 10 // 2, 10.0 // 2)
print(2^2, 4 // 1, 4.0)
print(math.type(2^31), math.type(1 << 31))

-- table keys: float with integer value normalized
local t = {}
t[1.0] = "one"
t[2] = "two"
print(t[1], t[2.0], #t)
t[3.5] = "three and a half"
print(t[3.5], t[3])
local c = 0
for k in pairs(t) do c = c + 1 end
print("keys", c)
for i = 1, 2 do print(i, math.type(next({[1.0] = true}))) end

-- string to number conversion keeps subtype
print(math.type(tonumber("10")), math.type(tonumber("10.0")), math.type(tonumber("1e1")))
print(math.type("10" + 0), math.type("10.0" + 0), "10" + 0, "10.0" + 0)

-- tointeger
print(math.tointeger(5.0), math.tointeger(5.5), math.tointeger("x"), math.tointeger(2^63))
print(math.tointeger(-0.0), math.type(math.tointeger(-0.0)))

-- integer/float equality and ordering at the edges
print(math.maxinteger == 2^63, math.maxinteger < 2^63, math.maxinteger + 1.0 == 2^63)
print(math.mininteger == -2^63, math.mininteger <= -2^63)
print(2^53 + 1 == 2^53 + 1.0)
print((2^53 | 0) + 1)

-- tostring distinguishes
print(tostring(1), tostring(1.0), tostring(-1.0), tostring(1e100))
print(1 .. "", 1.0 .. "", 2^63 .. "")

-- arithmetic result subtypes
local exprs = {
  {"1+2", 1 + 2}, {"1+2.0", 1 + 2.0}, {"3*4", 3 * 4}, {"6/3", 6 / 3},
  {"7//2", 7 // 2}, {"7.0//2", 7.0 // 2}, {"7%2", 7 % 2}, {"7%2.0", 7 % 2.0},
  {"2^2", 2 ^ 2}, {"-(3)", -(3)}, {"-(3.0)", -(3.0)},
}
for _, p in ipairs(exprs) do print(p[1], p[2], math.type(p[2])) end

-- math.abs/max/min keep subtypes
print(math.abs(-3), math.abs(-3.0), math.max(1, 2.0), math.min(1, 2.0))
print(math.type(math.max(3, 2.5)), math.type(math.max(2, 2.5)))
print(math.abs(math.mininteger))
