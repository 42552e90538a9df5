-- string comparison, concatenation of numbers, integer key normalization
print("a" < "b", "b" < "a", "a" < "aa", "aa" < "b", "" < "a")
print("10" < "9", "10" < "10.0", "2" > "10", "abc" < "abd", "Abc" < "abc")
print("a" <= "a", "a" >= "b", "z" > "a", "A" < "a", "_" < "a")
print("\0" < "\1", "a\0" > "a", "a\0b" < "a\0c")
print(1 .. 2, 1 .. "", 1.5 .. 2, -1 .. -2)
print(10 .. "" == "10", 1e3 .. "", 2^63 .. "")
print(type(1 .. 2), #(123 .. 456))
local x = 5
print("x=" .. x .. ";", x .. x)

-- sorting strings uses byte order
local list = {"banana", "Apple", "cherry", "apple", "10", "9", "_x", "Zed"}
table.sort(list)
print(table.concat(list, " "))

-- integer key normalization
local t = {}
t[1.0] = "a"
t[2] = "b"
t[3.0] = "c"
print(#t, t[1], t[2.0], t[3])
print(next({[2.0] = true}), math.type(next({[2.0] = true})))
t[2^53] = "big"
print(t[2^53], t[math.tointeger(2^53)])
t["1"] = "string one"
print(t[1], t["1"])
local keys = 0
for _ in pairs(t) do keys = keys + 1 end
print("keys", keys)
-- float keys that are not integral stay floats
t[1.5] = "x"
print(t[1.5], t[1], t[2])
-- -0.0 key is the same as 0
t[0] = "zero"
print(t[-0.0], t[0.0])

-- string equality is by value
local s1 = "hel" .. "lo"
local s2 = "hello"
print(s1 == s2, rawequal(s1, s2))
local long1 = string.rep("abc", 1000)
local long2 = string.rep("ab", 1000, "c") .. "c"
print(long1 == long2, #long1, #long2)

-- string as table key with same content
local st = {}
st[s1] = 1
print(st[s2], st["hello"])

-- max/min over strings
local function maxs(...) local m = ... for i = 2, select('#', ...) do local v = select(i, ...) if v > m then m = v end end return m end
print(maxs("pear", "apple", "zebra", "mango"))
print(pcall(math.max, "a", "b"))
