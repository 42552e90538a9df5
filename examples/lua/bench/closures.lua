-- closures.lua: closures and upvalues, written for this suite.
--
-- Creates many short-lived closures and exercises upvalue access:
--   * counters: a factory returns inc/get closures sharing one upvalue;
--   * function factories: adders and multipliers, composed into pipelines;
--   * higher-order map / filter / fold over arrays, with a fresh closure per call;
--   * closures capturing loop variables (a fresh upvalue per iteration) and nested upvalues
--     three levels deep.
-- It measures closure creation, upvalue reads/writes (open and closed), calls through
-- function values, and the garbage the closures and their arrays leave behind.
--
-- Usage: lua closures.lua [rounds]   (default 20000)
-- Output: integer checksums.

local rounds = arg and arg[1] and math.floor(arg[1]) or 20000

local function make_counter(start)
  local n = start
  local function inc(by) n = n + (by or 1); return n end
  local function get() return n end
  return inc, get
end

local function adder(k) return function(x) return x + k end end
local function multiplier(k) return function(x) return x * k end end
local function compose(f, g) return function(x) return g(f(x)) end end

local function map(t, f)
  local r = {}
  for i = 1, #t do r[i] = f(t[i]) end
  return r
end

local function filter(t, p)
  local r, n = {}, 0
  for i = 1, #t do
    local v = t[i]
    if p(v) then n = n + 1; r[n] = v end
  end
  return r
end

local function fold(t, f, acc)
  for i = 1, #t do acc = f(acc, t[i]) end
  return acc
end

local function range(n)
  local r = {}
  for i = 1, n do r[i] = i end
  return r
end

local base = range(200)
local total = 0
local counter_total = 0
local captured_total = 0

for round = 1, rounds do
  -- counters sharing upvalues
  local inc, get = make_counter(round)
  for i = 1, 20 do inc(i % 3) end
  -- (inc(1), not inc(): piccolo 0.3.3 does not nil-fill missing parameters after a loop of calls)
  inc(1)
  counter_total = counter_total + get()

  -- a pipeline of factory-made functions, fresh each round
  local k = round % 17
  local f = compose(compose(adder(k), multiplier(3)), adder(-k))
  local mapped = map(base, f)
  local odd = filter(mapped, function(v) return v % 2 == 1 end)
  local sum = fold(odd, function(acc, v) return acc + v end, 0)
  local mx = fold(mapped, function(acc, v) if v > acc then return v end return acc end, 0)
  total = (total + sum + mx) % 1000000007

  -- closures capturing loop variables: each iteration gets its own upvalue
  local fs = {}
  for i = 1, 50 do
    fs[i] = function() return i * round end
  end
  local s = 0
  for i = 1, #fs do s = s + fs[i]() end

  -- nested upvalues, three levels, written through
  local outer = 0
  local function level1()
    local mid = 1
    local function level2()
      local function level3()
        outer = outer + mid
        mid = mid + 1
      end
      for _ = 1, 5 do level3() end
    end
    level2()
    level2()
    return mid
  end
  local m = level1()
  captured_total = captured_total + s + outer + m
end

print("rounds", rounds)
print("counter_total", counter_total)
print("pipeline_total", total)
print("captured_total", captured_total)
