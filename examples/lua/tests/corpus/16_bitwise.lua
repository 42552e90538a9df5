-- bitwise operators on integers
print(0xF0 & 0x3C, 0xF0 | 0x3C, 0xF0 ~ 0x3C)
print(~0, ~5, ~-1)
print(1 << 4, 256 >> 4, 1 << 63, 1 << 64, 1 << -1)
print(-1 >> 1, -1 >> 63, -1 >> 64, 2 >> -1)
print(-1 << 1, math.mininteger >> 63)
print(5 & 3, 5 | 3, 5 ~ 3)
print(0xFF & -1, -256 & 0xFFFF)

-- floats with integral values are converted
print(3.0 | 0, 2.0 << 1, math.type(3.0 | 0))
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
-- strings are NOT coerced by bitwise operators in 5.4 (no string metamethods for them)
local okS, eS = pcall(function() local s = "3"; return s | 0 end)
print(okS, strip(eS))
-- but they are coerced by arithmetic
print("3" + 0, "0x10" * 1)

-- non-integral floats error
local ok, e = pcall(function() local x = 1.5; return x | 0 end)
print(ok, strip(e))
ok, e = pcall(function() local x = {}; return x & 1 end)
print(ok, strip(e))
ok, e = pcall(function() local x = "abc"; return x ~ 1 end)
print(ok, strip(e))
ok, e = pcall(function() local x = 2^63; return x >> 1 end)
print(ok, strip(e))

-- precedence: shifts lower than concat? comparison < bitwise
print(1 | 2 ~ 3 & 4, (1 | 2) ~ (3 & 4))
print(1 << 2 + 1, (1 << 2) + 1)
print(5 & 4 == 4)

-- bit counting
local function popcount(n)
  local c = 0
  while n ~= 0 do
    n = n & (n - 1)
    c = c + 1
  end
  return c
end
print(popcount(0), popcount(255), popcount(-1), popcount(0x5555))

-- hex formatting of bit results
print(string.format("%x %X %x", 0xdead ~ 0xbeef, 0xabc << 8, -1))
print(string.format("%08x", 1 << 20))

-- rotate left 8 within 32 bits
local function rol32(x, n) return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF end
print(string.format("%08x", rol32(0x12345678, 8)))

-- xor swap
local a, b = 12, 34
a = a ~ b; b = a ~ b; a = a ~ b
print(a, b)

-- logical shift of negative
print(string.format("%x", math.mininteger >> 4))
print(math.mininteger >> 4 > 0)
