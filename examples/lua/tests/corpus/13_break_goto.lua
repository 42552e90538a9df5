-- break and goto/labels
for i = 1, 10 do
  if i > 3 then break end
  print("for", i)
end

local i = 0
while true do
  i = i + 1
  if i == 4 then break end
end
print("while broke at", i)

repeat
  i = i + 1
  if i >= 6 then break end
until false
print("repeat broke at", i)

-- continue idiom with goto
local odds = {}
for k = 1, 10 do
  if k % 2 == 0 then goto continue end
  odds[#odds + 1] = k
  ::continue::
end
print(table.concat(odds, " "))

-- continue in while
local n, out = 0, {}
while n < 10 do
  n = n + 1
  if n % 3 ~= 0 then goto cont end
  out[#out + 1] = n
  ::cont::
end
print(table.concat(out, " "))

-- break out of nested loops with goto
for a = 1, 5 do
  for b = 1, 5 do
    if a * b == 6 then
      print("found", a, b)
      goto done
    end
  end
end
::done::

-- backward goto as a loop
local c = 0
::top::
c = c + 1
if c < 5 then goto top end
print("goto loop", c)

-- goto in nested blocks with locals
do
  local x = 1
  goto skip
  print("skipped")
  ::skip::
  print("x is", x)
end

-- closures with goto loops capture fresh locals
local fns = {}
do
  local k = 1
  ::again::
  local captured = k
  fns[#fns + 1] = function() return captured end
  k = k + 1
  if k <= 3 then goto again end
end
print(fns[1](), fns[2](), fns[3]())

-- break only exits innermost loop
local log = {}
for p = 1, 3 do
  for q = 1, 3 do
    if q == 2 then break end
    log[#log + 1] = p .. q
  end
end
print(table.concat(log, ","))

-- goto continue in repeat-until (label before until, no locals after)
local r = 0
local evens = {}
repeat
  r = r + 1
  if r % 2 == 1 then goto next end
  evens[#evens + 1] = r
  ::next::
until r >= 8
print(table.concat(evens, " "))
