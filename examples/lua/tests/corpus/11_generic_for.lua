-- generic for with pairs/ipairs/next
local arr = {"a", "b", "c", "d"}
for i, v in ipairs(arr) do print(i, v) end

-- ipairs stops at first nil
local holes = {1, 2, nil, 4}
local n = 0
for _ in ipairs(holes) do n = n + 1 end
print("ipairs count", n)

-- pairs over mixed table, sorted output
local t = {10, 20, 30, x = 1, y = 2, z = 3}
local keys = {}
for k in pairs(t) do keys[#keys + 1] = tostring(k) end
table.sort(keys)
print(table.concat(keys, " "))

-- sum values via pairs (order independent)
local s = 0
for _, v in pairs(t) do s = s + v end
print("sum", s)

-- next directly
print(next({}))
local single = {only = "one"}
print(next(single))
print(next(single, "only"))

-- explicit iterator triple with next
local cnt = 0
for k, v in next, {a = 1, b = 2, c = 3} do cnt = cnt + v end
print("next sum", cnt)

-- pairs with __pairs metamethod
local proxy = setmetatable({}, {__pairs = function(self)
  local i = 0
  return function()
    i = i + 1
    if i <= 3 then return i, i * i end
  end, self, nil
end})
for k, v in pairs(proxy) do print("pairs mm", k, v) end

-- ipairs respects __index
local base = {"x", "y", "z"}
local view = setmetatable({}, {__index = base})
local got = {}
for i, v in ipairs(view) do got[#got + 1] = i .. v end
print(table.concat(got, ","))

-- clearing fields during traversal is allowed
local m = {a = 1, b = 2, c = 3, d = 4}
for k in pairs(m) do m[k] = nil end
print("after clear", next(m))

-- modifying existing fields during traversal
local mm = {a = 1, b = 2, c = 3}
for k, v in pairs(mm) do mm[k] = v * 10 end
print(mm.a, mm.b, mm.c)

-- counting entries in a table with integer and string keys
local big = {}
for i = 1, 100 do big[i] = i end
for i = 1, 50 do big["k" .. i] = i end
local c = 0
for _ in pairs(big) do c = c + 1 end
print("entries", c)

-- ipairs on string-keyed table yields nothing
local none = 0
for _ in ipairs({a = 1}) do none = none + 1 end
print("none", none)

-- pairs loop variables unaffected by reassignment
local order = {}
for i, v in ipairs({5, 6, 7}) do
  v = v * 2
  order[i] = v
end
print(table.concat(order, ","))
