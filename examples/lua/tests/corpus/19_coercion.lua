-- string <-> number coercions
print("10" + 1, "3.0" * 2, "2" ^ "3", "10" / "4", "7" // "2", "7" % "3")
print(math.type("10" + 1), math.type("3.0" * 2), math.type("10" // "3"))
print("0x10" + 0, " 5 " + 1, "1e2" + 0, "-3" * "-3")
print(-"2", -"2.5", - "0x10")
print(10 .. 20, 1.5 .. "", 1 .. 2)
print("n: " .. 42, 42 .. " is the answer")
print(2^53 .. "", -0.0 .. "", math.mininteger .. "")

-- comparisons do not coerce
print(1 == "1", "1" == 1, "abc" == "abc")
local ok, e = pcall(function() return 1 < "2" end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() return {} < {} end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() return "a" < 1 end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))

-- failed coercion
ok, e = pcall(function() local s = "abc"; return s + 1 end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() local s = "10"; local t = {}; return s .. t end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() return "x" .. nil end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() return 1 .. true end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))

-- string comparison is lexicographic (byte-wise)
print("a" < "b", "abc" < "abd", "abc" < "ab", "" < "a", "Z" < "a")
print("10" < "9", "100" < "20", "a\0b" < "a\0c", "a" <= "a", "b" >= "a")

-- tostring / tonumber round trip
for _, v in ipairs({0, -1, 1.5, 1e20, 2^63, -0.0}) do
  local s = tostring(v)
  print(s, tonumber(s) == v, math.type(tonumber(s)))
end

-- string.rep and other lib functions accept numbers as strings
print(string.rep(5, 3), string.len(12345), string.upper(1.5))
print(("x"):rep("3"))

-- concatenation of floats and integers
print(1 .. "" == "1", 1.0 .. "" == "1.0")
-- numbers in table.concat
print(table.concat({1, 2.5, "x", 3.0}, " "))
-- non-numeric for loop limit is an error
ok, e = pcall(function() for i = 1, "x" do end end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
-- integer conversion of float strings in arithmetic
print("9007199254740993" + 0, "9223372036854775807" + 0, "9223372036854775808" + 0)
