-- tostring of numbers (%.14g for floats, with ".0" added when integral-looking)
local vals = {
  1e15, 1e14, 1e16, 10^15, 10^14, 2^63, 0.1, 1/3, 2/3, 100.0, -0.0, 0.0,
  1/0, -1/0, 123.456, 1e-10, 5e-7, 0.000001, 123456789012.0, 3.14159,
  1e100, -1e-100, 2^24, 2^-10, 12345678901234567890, 0.1 + 0.7, 255 / 256,
}
for i, v in ipairs(vals) do print(i, v, tostring(v)) end

print(1e15 == 10^15, math.type(1e15), math.type(10^15))
print(100, 100.0, -100, -100.0)
print(1e300 * 1e10, -1e300 * 1e10)
print(math.pi, -math.pi)
print(7.0, 7.10, 7.25, 1e1)
print(99999999999999.0, 999999999999999.0)
print(0.1 * 3, 1 - 0.9)
print(math.maxinteger, math.mininteger)
print(math.maxinteger + 0.0, math.mininteger + 0.0)
print(-7 // 2.0, 7 // -2.0)
print(string.format("%.17g", 0.1))
print(string.format("%.14g", 2^63), string.format("%.0f", 2^63))
print(string.format("%.20f", 0.5))

-- tostring inside concatenation
print("v=" .. 1.5, "v=" .. 10 // 1, "v=" .. 2^2, "v=" .. -0.0)

-- integer-valued floats always show .0
for _, v in ipairs({1.0, -2.0, 1e3, 2^10, 3 / 1}) do print(v) end
