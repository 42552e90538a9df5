-- integer arithmetic: //, %, overflow, division by zero errors
print(7 // 2, -7 // 2, 7 // -2, -7 // -2)
print(7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(6 % 3, -6 % 3, 0 % 5)
print(7 / 2, 6 / 2, -7 / 2)
print(2 ^ 10, 2 ^ 0.5 == math.sqrt(2), 2 ^ -1)
print(10 - 3 * 2, (10 - 3) * 2, 2 ^ 3 ^ 2, -2 ^ 2)
print(1 + 2, 1 - 2, 3 * 4, math.type(3 * 4))

-- overflow wraps around
print(math.maxinteger + 1 == math.mininteger)
print(math.mininteger - 1 == math.maxinteger)
print(math.maxinteger * 2)
print(math.mininteger * -1)
print(-math.mininteger)
print(math.mininteger // -1)
print(math.mininteger % -1)
print(math.maxinteger + math.maxinteger)

-- integer division and modulo by zero raise errors
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
local zero = 0
local ok, e = pcall(function() return 1 // zero end)
print(ok, strip(e))
ok, e = pcall(function() return 1 % zero end)
print(ok, strip(e))
-- but float division by zero does not
print(1 / zero, -1 / zero)
print(1 // 0.0, -1 // 0.0)
print(3 // 0.0)

-- exponent always float
print(math.type(2 ^ 2), 2 ^ 2)

-- large integer literals
print(9223372036854775807, -9223372036854775807 - 1)
print(9223372036854775808)
print(0x7fffffffffffffff, 0xffffffffffffffff)
print(0x10, 0xff, 0XA)

-- unary minus and precedence
local a = 5
print(-a, - -a, -a ^ 2)

-- integer ops producing integers
print(math.type(10 // 3), math.type(10 % 3), math.type(10 / 2))

-- mixed integer/float
print(1 + 1.0, 3 * 1.5, 10 // 3.0, 10 % 3.0, math.type(1 + 1.0))

-- floor division identity
for _, pair in ipairs({{17, 5}, {-17, 5}, {17, -5}, {-17, -5}}) do
  local x, y = pair[1], pair[2]
  local q, r = x // y, x % y
  print(x, y, q, r, q * y + r == x)
end

-- comparison between integers and floats
print(1 == 1.0, 1 < 1.5, 2 > 1.999, math.maxinteger < math.huge)
print(math.maxinteger + 0.0 == math.maxinteger)
print(math.maxinteger + 0.0 == 2 ^ 63)
print(2^53 == 2^53 + 1)
