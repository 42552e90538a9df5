-- multiple return values and adjustment rules
local function none() end
local function one() return 1 end
local function two() return 1, 2 end
local function many() return 1, 2, 3, 4, 5 end

print(none())
print(one())
print(two())
print(many())
print((many()))
print(many(), "end")
print("start", many())

-- in table constructors
local t1 = {many()}
local t2 = {many(), many()}
local t3 = {(many())}
print(#t1, #t2, #t3)
print(table.concat(t2, ","))

-- returning calls (tail position)
local function pass(...) return ... end
print(pass(1, nil, 3))
print(select('#', pass(nil, nil)))
print(select('#', none()))
print(select('#', (none())))

-- return in middle of nested calls
local function wrap() return two() end
local function wrapp() return (two()) end
print(wrap())
print(wrapp())

-- string.find returns multiple values
local s, e = string.find("hello world", "wor")
print(s, e)

-- multiple returns to concatenation: only first used
print(two() .. "x")

-- arithmetic uses first value
print(two() + 10)

-- returning from varied branches
local function classify(n)
  if n < 0 then return "neg", -n
  elseif n == 0 then return "zero"
  else return "pos", n, n * n end
end
print(classify(-5))
print(classify(0))
print(classify(7))

-- count of results
local function count(...) return select('#', ...) end
print(count(none()), count(one()), count(two()), count(many()))
print(count(many(), nil), count(nil, many()))

-- tail recursion deep
local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + n) end
print(loop(100000, 0))

-- table.unpack with ranges
print(table.unpack({1, 2, 3}, 2))
print(table.unpack({1, 2, 3}, 2, 5))
print(select('#', table.unpack({}, 1, 3)))
