-- if/elseif/else, while, repeat-until
local function grade(n)
  if n >= 90 then return "A"
  elseif n >= 80 then return "B"
  elseif n >= 70 then return "C"
  else return "F" end
end
print(grade(95), grade(85), grade(75), grade(10))

-- truthiness: only nil and false are falsy
local vals = {0, "", false, "false", 0.0}
for i = 1, 5 do
  local v = vals[i]
  if v then print(i, "truthy") else print(i, "falsy") end
end
if nil then print("nil truthy") else print("nil falsy") end

-- and/or short circuit and values
print(1 and 2, nil and 2, false and nil, 1 or 2, nil or 2, false or nil)
print(nil or false, false or false, 0 or "x")
local function side(v) print("eval", v) return v end
local _ = side(false) and side("never")
local _ = side(1) or side("never")
print(not nil, not 0, not not "x")

-- ternary idiom
local n = 7
print(n % 2 == 0 and "even" or "odd")

-- while loop
local i, sum = 1, 0
while i <= 10 do sum = sum + i; i = i + 1 end
print("while sum", sum, i)

-- while false body never runs
while false do print("never") end

-- repeat-until: body runs at least once, locals visible in condition
local count = 0
repeat
  count = count + 1
  local done = count >= 3
until done
print("repeat count", count)

local x = 100
repeat
  local x = 5
  print("inner x", x)
until x == 5
print("outer x", x)

-- repeat computing digits
local num, digits = 12345, {}
repeat
  local d = num % 10
  digits[#digits + 1] = d
  num = num // 10
until num == 0
print(table.concat(digits, ","))

-- nested loops with break
local found
local a = 1
while a <= 5 do
  local b = 1
  while b <= 5 do
    if a * b == 12 then found = a .. "x" .. b break end
    b = b + 1
  end
  if found then break end
  a = a + 1
end
print("found", found)

-- collatz via while
local function collatz(n)
  local steps = 0
  while n ~= 1 do
    if n % 2 == 0 then n = n // 2 else n = 3 * n + 1 end
    steps = steps + 1
  end
  return steps
end
print(collatz(27), collatz(1), collatz(6))

-- if with comparison chains
local function cmp(a, b)
  if a < b then return -1 elseif a > b then return 1 else return 0 end
end
print(cmp(1, 2), cmp(2, 1), cmp(3, 3), cmp("a", "b"))
