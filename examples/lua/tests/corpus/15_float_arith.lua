-- float arithmetic, % with floats, special values (no nan printing)
print(7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2)
print(5.5 % -2, -5.5 % -2)
print(5 % 2.5, 5.25 % 1)
print(1e308 * 10, -1e308 * 10)
print(math.huge, -math.huge, math.huge == math.huge + 1)
print(0.1 + 0.2 == 0.3, 0.1 + 0.2)
print(1 / 3, 2 / 3, 10 / 4)
print(100 / 10, 1e2, 1e-2, 5e-324 > 0)
print(3.0, -3.0, 3.5e3, 1.5e-7)

-- modulo of infinity / by infinity
print(5 % math.huge, -5 % math.huge, 5 % -math.huge)

-- nan properties without printing nan
local nan = 0 / 0
print(nan ~= nan, nan == nan, nan < 1, nan > 1, nan <= nan)
local t = {}
local okn, errn = pcall(function() t[nan] = 1 end)
print(okn, (errn:gsub("^[^:]*:%d+: ", "")))
print(t[nan], rawget(t, nan))
print(rawequal(nan, nan))

-- fmod vs %
print(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3))
print(math.fmod(7.5, 2), math.fmod(-7.5, 2))
print(math.type(math.fmod(7, 3)), math.type(math.fmod(7.0, 3)))

-- negative zero
local nz = -0.0
print(nz, 0.0, nz == 0.0, 1 / nz, 1 / 0.0)
print(0.0 * -1, -0.0 + 0.0)

-- floor/ceil convert to integers when representable
print(math.floor(3.7), math.ceil(3.2), math.floor(-3.7), math.ceil(-3.2))
print(math.type(math.floor(3.7)), math.floor(1e100) == 1e100, math.type(math.floor(1e100)))

-- rounding behaviour of string conversion
print(2^53, 2^63, -2^63, 2^64)
print(123456789012345.0, 1234567890123456.0)
print(0.1, 0.5, 1.25, 3.14159265358979)
print(1e15, 1e16, 1e100, 1e-5, 1e-4, 123e-7)

-- float to integer conversions
print(3.0 == 3, math.tointeger(3.0), math.tointeger(3.5))
print(string.format("%.3f", 2 / 3))

-- float exponentiation
print(2 ^ 0.5, 10 ^ -2, (-8) ^ (1/3) ~= (-8) ^ (1/3))
print(0 ^ 0, 0.0 ^ 0, math.huge ^ 0)

-- float // and % signs
print(-0.5 // 1, 0.5 // -1, -0.5 % 1)
