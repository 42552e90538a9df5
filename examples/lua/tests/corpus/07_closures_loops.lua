-- closures capture a fresh local per loop iteration
local fs = {}
for i = 1, 5 do
  fs[i] = function() return i end
end
local r = {}
for i = 1, 5 do r[i] = fs[i]() end
print(table.concat(r, " "))

-- modifying the loop copy inside closure does not affect others
local gs = {}
for i = 1, 3 do
  gs[i] = function() i = i * 10; return i end
end
print(gs[1](), gs[1](), gs[2](), gs[3]())

-- generic for loop variables are fresh too
local hs = {}
for k, v in ipairs({"a", "b", "c"}) do
  hs[#hs + 1] = function() return k .. "=" .. v end
end
print(hs[1](), hs[2](), hs[3]())

-- while loop with local inside body: fresh each iteration
local ws = {}
local j = 0
while j < 3 do
  j = j + 1
  local captured = j * 100
  ws[j] = function() return captured end
end
print(ws[1](), ws[2](), ws[3]())

-- while loop capturing an outer variable: shared
local shared = {}
local k = 0
while k < 3 do
  k = k + 1
  shared[k] = function() return k end
end
print(shared[1](), shared[2](), shared[3]())

-- repeat loop local fresh per iteration
local rs = {}
local n = 0
repeat
  n = n + 1
  local m = n
  rs[n] = function() m = m + 1; return m end
until n == 3
print(rs[1](), rs[1](), rs[2](), rs[3]())

-- closures in nested loops
local grid = {}
for a = 1, 2 do
  for b = 1, 2 do
    grid[#grid + 1] = function() return a * 10 + b end
  end
end
local res = {}
for idx, g in ipairs(grid) do res[idx] = g() end
print(table.concat(res, ","))

-- two closures from same iteration share that iteration's variable
local getters, setters = {}, {}
for i = 1, 3 do
  local v = i
  getters[i] = function() return v end
  setters[i] = function(x) v = x end
end
setters[2](99)
print(getters[1](), getters[2](), getters[3]())

-- closure created in loop with break
local saved
for i = 1, 10 do
  if i == 4 then
    saved = function() return "saved " .. i end
    break
  end
end
print(saved())
