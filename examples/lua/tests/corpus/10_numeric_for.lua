-- numeric for loops
local function collect(a, b, c)
  local r = {}
  if c then
    for i = a, b, c do r[#r + 1] = tostring(i) end
  else
    for i = a, b do r[#r + 1] = tostring(i) end
  end
  return "[" .. table.concat(r, " ") .. "]"
end
print(collect(1, 5))
print(collect(5, 1))
print(collect(5, 1, -1))
print(collect(1, 10, 3))
print(collect(10, 1, -3))
print(collect(0, 1, 0.25))
print(collect(1, 0, -0.5))
print(collect(1.0, 3))
print(collect(1, 3.5))
print(collect(3, 3))
print(collect(-2, 2))

-- loop variable type: integer loop if start and step are integers
for i = 1, 2 do print(i, math.type(i)) end
for i = 1.0, 2 do print(i, math.type(i)) end
for i = 1, 2.5 do print(i, math.type(i)) end

-- limit evaluated once
local lim = 3
local iters = 0
for i = 1, lim do lim = 10; iters = iters + 1 end
print("iters", iters)

-- modifying loop variable does not affect iteration
local seen = {}
for i = 1, 3 do
  seen[#seen + 1] = i
  i = i * 100
end
print(table.concat(seen, ","))

-- zero step errors
local okz, errz = pcall(function() for i = 1, 10, 0 do end end)
print(okz, (errz:gsub("^[^:]*:%d+: ", "")))

-- loops near integer limits do not overflow
local c = 0
for i = math.maxinteger - 2, math.maxinteger do c = c + 1 end
print("near max", c)
c = 0
for i = math.mininteger + 2, math.mininteger, -1 do c = c + 1 end
print("near min", c)
c = 0
for i = math.maxinteger - 10, math.maxinteger, 7 do c = c + 1 end
print("step 7", c)

-- float accumulation
local total = 0
for x = 0.1, 1.0, 0.1 do total = total + 1 end
print("float steps", total)

-- nested loops building a table
local mult = {}
for i = 1, 4 do
  local row = {}
  for j = 1, 4 do row[j] = i * j end
  mult[i] = table.concat(row, "\t")
end
for _, row in ipairs(mult) do print(row) end

-- loop with large step skipping limit
print(collect(1, 100, 50))
print(collect(-1, -100, -50))

-- for loop with non-number errors
local ok, err = pcall(function() for i = "a", 2 do end end)
print(ok, (err:gsub("^[^:]*:%d+: ", "")))
