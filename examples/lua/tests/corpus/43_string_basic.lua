-- basic string library functions
local s = "Hello, Lua!"
print(string.len(s), #s, string.len(""), #"\0\0")
print(string.sub(s, 1, 5), string.sub(s, 8), string.sub(s, -4), string.sub(s, -4, -2))
print(string.sub(s, 0), string.sub(s, 5, 2), string.sub(s, 100), string.sub(s, -100, 3))
print("[" .. s:sub(3, 3) .. "]", s:sub(math.mininteger, math.maxinteger) == s)
print(string.upper(s), string.lower(s))
print(string.rep("ab", 3), string.rep("ab", 3, ","), string.rep("x", 0), string.rep("x", 1, "sep"))
print("[" .. string.rep("", 5) .. "]", string.rep("-", 10))
print(string.byte("A"), string.byte("ABC", 2), string.byte("ABC", 1, 3), string.byte("ABC", -1))
print(string.byte("ABC", 10), select('#', string.byte("ABC", 10)), select('#', string.byte("")))
print(string.char(72, 105, 33), string.char(), #string.char(0, 0))
print(string.reverse("abcdef"), string.reverse(""), ("racecar"):reverse() == "racecar")

-- byte/char roundtrip
local bytes = {string.byte("roundtrip", 1, -1)}
print(#bytes, string.char(table.unpack(bytes)))

-- strings are immutable values
local a = "abc"
local b = a
b = b .. "d"
print(a, b)

-- embedded zeros
local z = "a\0b\0c"
print(#z, z:byte(2), z:sub(3, 3), z == "a\0b\0c")

-- upper/lower on non-letters
print(("123 abc XYZ !?"):upper(), ("123 abc XYZ !?"):lower())

-- concatenation of many pieces
local parts = {}
for i = 1, 10 do parts[#parts + 1] = string.char(64 + i) end
print(table.concat(parts), table.concat(parts, "-"), table.concat(parts, "", 3, 5))
print(table.concat({}, ","), table.concat({"only"}, ","))

-- string comparison
print("a" < "b", "a" < "B", "abc" == "abc", "abc" ~= "abd", "" == "")
print(("x"):rep(3) == "xxx", #("x"):rep(1000))

-- tostring/tonumber on strings
print(tostring("already"), tonumber("  0x1F  "), tonumber("1_000"))

-- string.len vs # on multibyte UTF-8 (bytes)
local utf = "h\u{E9}llo"
print(#utf, utf:len(), utf:byte(2), utf:byte(3))

-- sub with float indices that are integral
print(("abcdef"):sub(2.0, 4.0))
print(pcall(string.sub, "abc", 1.5))
