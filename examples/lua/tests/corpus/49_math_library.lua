-- math library
print(math.floor(3.7), math.floor(-3.7), math.floor(5), math.ceil(3.2), math.ceil(-3.2), math.ceil(5))
print(math.type(math.floor(2.5)), math.type(math.ceil(2.5)), math.floor(-0.0))
print(math.abs(-5), math.abs(5.5), math.abs(-0.0), math.abs(math.mininteger))
print(math.max(1, 5, 3), math.max(-1.5, -2), math.min(4, 2, 8), math.min(1.0, 1), math.max(1, 1.0))
print(math.sqrt(16), math.sqrt(2), math.sqrt(0))
print(math.huge, -math.huge, math.huge > math.maxinteger)
print(math.pi, string.format("%.10f", math.pi))
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(math.tointeger(4.0), math.tointeger(4.5), math.tointeger(2^53))
print(math.fmod(10, 3), math.fmod(-10, 3), math.fmod(10, -3), math.fmod(5.5, 2))
print(math.fmod(math.mininteger, -1), math.fmod(7, math.huge))
print(pcall(math.fmod, 1, 0))
print(math.fmod(1, 0.0) ~= math.fmod(1, 0.0))
print(math.modf(3.7))
print(math.modf(-3.7))
print(math.modf(5))
print(math.modf(math.huge))
print(math.modf(-math.huge))
print(math.exp(0), string.format("%.6f", math.exp(1)))
print(math.log(1), string.format("%.6f", math.log(10)), math.log(8, 2), math.log(100, 10), math.log(27, 3))
print(math.log(1024, 2), math.log(0) == -math.huge, math.log(1, 10))
print(math.sin(0), math.cos(0), string.format("%.6f", math.sin(math.pi / 2)), string.format("%.6f", math.cos(math.pi)))
print(string.format("%.6f %.6f", math.tan(math.pi / 4), math.atan(1)))
print(string.format("%.6f %.6f", math.atan(1, -1), math.atan(-1, -1)))
print(string.format("%.6f %.6f", math.asin(1), math.acos(0)))
print(math.ult(1, 2), math.ult(-1, 2), math.ult(2, -1))
print(math.type(1), math.type(1.0), math.type("1"), math.type({}))

-- random: only properties, not values
math.randomseed(42)
local okr = true
for i = 1, 100 do
  local r = math.random()
  if r < 0 or r >= 1 then okr = false end
  local k = math.random(10)
  if k < 1 or k > 10 or math.type(k) ~= "integer" then okr = false end
  local m = math.random(-5, 5)
  if m < -5 or m > 5 then okr = false end
end
print("random ranges ok", okr)
math.randomseed(7); local a1, a2 = math.random(1000), math.random(1000)
math.randomseed(7); local b1, b2 = math.random(1000), math.random(1000)
print("randomseed reproducible", a1 == b1 and a2 == b2)
print(pcall(math.random, 2, 1))
print(math.random(3, 3))

-- integer/float edge results
print(math.floor(-2^63) == math.mininteger, math.type(math.floor(2^62)))
print(math.ceil(2^70) == 2^70, math.type(math.ceil(2^70)))
print(math.abs(-2^63), math.max(math.mininteger, math.maxinteger))

-- errors
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
print(pcall(math.floor, "a"))
print(pcall(math.sqrt))
print(math.floor("3.7"), math.sqrt("4"))
