-- table.insert, remove, concat, sort, unpack, pack, move
local t = {}
table.insert(t, "a")
table.insert(t, "c")
table.insert(t, 2, "b")
table.insert(t, 1, "start")
table.insert(t, #t + 1, "end")
print(#t, table.concat(t, ","))

print(table.remove(t), #t, table.concat(t, ","))
print(table.remove(t, 1), #t, table.concat(t, ","))
print(table.remove(t, 2), table.concat(t, ","))
print(table.remove({}), table.remove({}, 0))
local one = {"x"}
print(table.remove(one, 1), #one, table.remove(one, 1))
local edge = {1, 2, 3}
print(table.remove(edge, 4), #edge)

-- insert/remove errors
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end
print(pcall(table.insert, {1, 2}, 5, "x"))
print(pcall(table.insert, {1, 2}, 1, 2, 3))
print(pcall(table.remove, {1, 2}, 5))
local ok, e = pcall(function() table.insert(nil, 1) end)
print(ok, strip(e))

-- concat with ranges and separators
local nums = {1, 2, 3, 4, 5}
print(table.concat(nums), table.concat(nums, ", "), table.concat(nums, "", 2, 4), table.concat(nums, "x", 4, 2) == "")
print(table.concat({1.5, 2, "s"}, "|"))

-- sort default and with comparator
local words = {"banana", "apple", "Cherry", "date", "apple"}
table.sort(words)
print(table.concat(words, " "))
table.sort(words, function(a, b) return a:lower() < b:lower() end)
print(words[1], words[3], words[5])
local n = {5, 2, 8, 1, 9, 3, 7, 4, 6, 10}
table.sort(n, function(a, b) return a > b end)
print(table.concat(n, " "))
table.sort(n)
print(table.concat(n, " "))

-- sort records by multiple keys (stable result via tie-breaker)
local people = {
  {name = "Ann", age = 30}, {name = "Bob", age = 25}, {name = "Cid", age = 30},
  {name = "Dee", age = 25}, {name = "Eve", age = 35},
}
table.sort(people, function(a, b)
  if a.age ~= b.age then return a.age < b.age end
  return a.name < b.name
end)
local out = {}
for i, p in ipairs(people) do out[i] = p.name .. p.age end
print(table.concat(out, " "))

-- sort errors
-- (which pair gets compared first depends on the sort algorithm, so only check the prefix)
ok, e = pcall(table.sort, {3, "a", 1})
print(ok, strip(e):match("^attempt to compare %a+ with %a+$") ~= nil)
ok, e = pcall(table.sort, {{}, {}})
print(ok, strip(e))

-- sort large array
local big = {}
for i = 1, 200 do big[i] = (i * 7919) % 211 end
table.sort(big)
local sorted = true
for i = 2, #big do if big[i - 1] > big[i] then sorted = false end end
print("big sorted", sorted, big[1], big[200])

-- pack / unpack
local p = table.pack(1, nil, 3)
print(p.n, table.unpack(p, 1, p.n))
print(table.unpack({1, 2, 3}))
print(table.unpack({1, 2, 3}, 2, 3))
print(table.unpack({1, 2, 3}, -1, 1))

-- table.move
local src = {1, 2, 3, 4, 5}
local dst = table.move(src, 2, 4, 1, {})
print(table.concat(dst, ","))
table.move(src, 1, 3, 3)
print(table.concat(src, ","))
print(table.concat(table.move({1, 2, 3}, 1, 0, 1, {"keep"}), ","))

-- insert respects __index/__newindex? table functions use raw-less access in 5.4
local log = {}
local proxy = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end})
table.insert(proxy, "v1")
table.insert(proxy, "v2")
print(table.concat(log, ","), #proxy)
