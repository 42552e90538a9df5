-- tonumber with and without base
print(tonumber("42"), tonumber("-42"), tonumber("+42"), tonumber("4.5"))
print(tonumber("  12  "), tonumber("\t7\n"), tonumber("1e2"), tonumber("1E-2"))
print(tonumber("0x10"), tonumber("0XfF"), tonumber("-0x10"), tonumber("0x1p4"))
print(tonumber("0x.8"), tonumber("0xA.8p1"))
print(tonumber(".5"), tonumber("5."), tonumber("0.5e1"))
print(tonumber(""), tonumber(" "), tonumber("abc"), tonumber("12abc"), tonumber("1 2"))
print(tonumber("1e"), tonumber("0x"), tonumber("--1"), tonumber("inf"), tonumber("nan"))
print(tonumber(10), tonumber(1.5), tonumber(nil), tonumber(true), tonumber({}))

-- bases
print(tonumber("ff", 16), tonumber("FF", 16), tonumber("z", 36), tonumber("Z", 36))
print(tonumber("777", 8), tonumber("1010", 2), tonumber("12", 3), tonumber("zz", 36))
print(tonumber("8", 8), tonumber("2", 2), tonumber("g", 16))
print(tonumber("  ff  ", 16), tonumber("-ff", 16), tonumber("1.5", 10), tonumber("10", 10))
print(tonumber("7fffffffffffffff", 16), tonumber("ffffffffffffffff", 16))
print(math.type(tonumber("10", 16)), math.type(tonumber("10")))
print(pcall(tonumber, "10", 1))
print(pcall(tonumber, "10", 37))
print(pcall(tonumber, 10, 16))

-- overflowing integer strings become floats
print(tonumber("9223372036854775807"), tonumber("9223372036854775808"))
print(math.type(tonumber("9223372036854775808")))
print(tonumber("-9223372036854775808"), math.type(tonumber("-9223372036854775808")))
print(tonumber("0xffffffffffffffffff"))

-- math.tointeger
print(math.tointeger(3), math.tointeger(3.0), math.tointeger(3.1), math.tointeger(-2^63))
print(math.tointeger(2^63), math.tointeger(math.huge), math.tointeger({}))

-- string.format of numbers
print(string.format("%d", 3.0), pcall(string.format, "%d", 3.5))
print(string.format("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42))
print(string.format("%x %X %o", 255, 255, 8))
print(string.format("%.3f %10.2f %-10.2f| %e %.2e", math.pi, math.pi, math.pi, 12345.678, 0.000123))
print(string.format("%g %g %g %g %g", 1e20, 0.0001, 0.00001, 100000, 1000000))
print(string.format("%g", 2^53), string.format("%.3g", 2/3))
print(string.format("%a", 1.0))
print(string.format("%i", -7), string.format("%u", 7))
