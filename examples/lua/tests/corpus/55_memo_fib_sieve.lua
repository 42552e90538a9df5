-- memoized fibonacci and sieve of Eratosthenes
local memo = {}
local calls = 0
local function fib(n)
  calls = calls + 1
  if n <= 2 then return 1 end
  local v = memo[n]
  if v then return v end
  v = fib(n - 1) + fib(n - 2)
  memo[n] = v
  return v
end
print(fib(10), fib(50), fib(90))
print("calls", calls)
-- fib(92) is the largest that fits in a 64-bit integer; fib(93) wraps around
print(fib(92), math.type(fib(92)))
print(fib(93), fib(93) < 0)

-- generic memoize with __index metamethod
local fibt = setmetatable({[1] = 1, [2] = 1}, {__index = function(t, n)
  local v = t[n - 1] + t[n - 2]
  t[n] = v
  return v
end})
print(fibt[30], fibt[80], rawget(fibt, 79) ~= nil)

-- float fibonacci via closed form vs integer
local phi = (1 + math.sqrt(5)) / 2
local function binet(n) return math.floor(phi ^ n / math.sqrt(5) + 0.5) end
local agree = true
for i = 1, 70 do if binet(i) ~= fib(i) then agree = false end end
print("binet agrees up to 70", agree)

-- sieve
local function sieve(n)
  local is = {}
  for i = 2, n do is[i] = true end
  for i = 2, math.floor(math.sqrt(n)) do
    if is[i] then
      for j = i * i, n, i do is[j] = false end
    end
  end
  local primes = {}
  for i = 2, n do if is[i] then primes[#primes + 1] = i end end
  return primes
end
local p100 = sieve(100)
print(#p100, table.concat(p100, " "))
local p10000 = sieve(10000)
local sum = 0
for _, p in ipairs(p10000) do sum = sum + p end
print(#p10000, p10000[#p10000], sum)

-- twin primes below 200
local set = {}
for _, p in ipairs(sieve(200)) do set[p] = true end
local twins = {}
for p = 3, 197 do if set[p] and set[p + 2] then twins[#twins + 1] = "(" .. p .. "," .. (p + 2) .. ")" end end
print(table.concat(twins, " "))

-- prime factorization
local function factor(n)
  local f = {}
  local d = 2
  while d * d <= n do
    while n % d == 0 do f[#f + 1] = d; n = n // d end
    d = d + 1
  end
  if n > 1 then f[#f + 1] = n end
  return table.concat(f, "*")
end
print(factor(360), factor(97), factor(1001), factor(2^31 - 1 | 0), factor(600851475143))

-- gcd/lcm
local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
print(gcd(48, 18), gcd(17, 5), 48 * 18 // gcd(48, 18))
