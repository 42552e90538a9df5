-- functions as values, recursion, mutual recursion, higher-order
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local out = {}
for i = 0, 15 do out[#out + 1] = fib(i) end
print(table.concat(out, " "))

-- mutual recursion via forward-declared locals
local isEven, isOdd
function isEven(n) if n == 0 then return true end return isOdd(n - 1) end
function isOdd(n) if n == 0 then return false end return isEven(n - 1) end
print(isEven(10), isOdd(7), isEven(7))

-- ackermann small
local function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end
print(ack(2, 3), ack(3, 3))

-- hanoi move count and first moves
local moves = {}
local function hanoi(n, from, to, via)
  if n == 0 then return end
  hanoi(n - 1, from, via, to)
  moves[#moves + 1] = from .. "->" .. to
  hanoi(n - 1, via, to, from)
end
hanoi(4, "A", "C", "B")
print(#moves, moves[1], moves[2], moves[8], moves[15])

-- higher-order: map/filter/reduce
local function map(t, f) local r = {} for i, v in ipairs(t) do r[i] = f(v) end return r end
local function filter(t, p) local r = {} for _, v in ipairs(t) do if p(v) then r[#r + 1] = v end end return r end
local function reduce(t, f, init) local acc = init for _, v in ipairs(t) do acc = f(acc, v) end return acc end
local nums = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
local squares = map(nums, function(x) return x * x end)
print(table.concat(squares, ","))
print(table.concat(filter(nums, function(x) return x % 2 == 0 end), ","))
print(reduce(nums, function(a, b) return a + b end, 0))

-- function composition
local function compose(f, g) return function(...) return f(g(...)) end end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print(compose(inc, dbl)(5), compose(dbl, inc)(5))

-- functions stored in tables
local ops = {
  add = function(a, b) return a + b end,
  sub = function(a, b) return a - b end,
}
print(ops.add(3, 4), ops["sub"](10, 3))

-- function definitions with dotted names
local M = {sub = {}}
function M.sub.hello(n) return "hello " .. n end
print(M.sub.hello("world"))

-- extra args ignored, missing args are nil
local function two(a, b) return a, b end
print(two(1, 2, 3))
print(two(1))

-- recursion with accumulating table (permutations)
local function permute(arr, n, acc)
  n = n or #arr
  if n <= 1 then acc[#acc + 1] = table.concat(arr) return end
  for i = 1, n do
    arr[i], arr[n] = arr[n], arr[i]
    permute(arr, n - 1, acc)
    arr[i], arr[n] = arr[n], arr[i]
  end
end
local perms = {}
permute({"a", "b", "c"}, nil, perms)
table.sort(perms)
print(#perms, table.concat(perms, " "))

-- type of functions
print(type(print), type(fib), type(nil))
