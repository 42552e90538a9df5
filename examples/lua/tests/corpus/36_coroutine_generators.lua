-- generators built from coroutines
local function range(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i) end
  end)
end
local r = {}
for i in range(5) do r[#r + 1] = i end
print(table.concat(r, " "))

-- permutations generator
local function permgen(a, n)
  n = n or #a
  if n <= 1 then coroutine.yield(a) else
    for i = 1, n do
      a[n], a[i] = a[i], a[n]
      permgen(a, n - 1)
      a[n], a[i] = a[i], a[n]
    end
  end
end
local function permutations(a)
  return coroutine.wrap(function() permgen(a) end)
end
local all = {}
for p in permutations({1, 2, 3}) do all[#all + 1] = table.concat(p) end
print(#all, table.concat(all, " "))

-- tree traversal generator
local tree = {v = 4, l = {v = 2, l = {v = 1}, r = {v = 3}}, r = {v = 6, l = {v = 5}, r = {v = 7}}}
local function inorder(t)
  if t then
    inorder(t.l)
    coroutine.yield(t.v)
    inorder(t.r)
  end
end
local vals = {}
for v in coroutine.wrap(function() inorder(tree) end) do vals[#vals + 1] = v end
print(table.concat(vals, ","))

-- filter and map pipelines with generators
local function gen_filter(pred, g)
  return coroutine.wrap(function()
    for v in g do if pred(v) then coroutine.yield(v) end end
  end)
end
local function gen_map(f, g)
  return coroutine.wrap(function()
    for v in g do coroutine.yield(f(v)) end
  end)
end
local pipeline = gen_map(function(x) return x * x end, gen_filter(function(x) return x % 2 == 1 end, range(10)))
local out = {}
for v in pipeline do out[#out + 1] = v end
print(table.concat(out, " "))

-- primes generator (sieve of coroutines)
local function primes(limit)
  return coroutine.wrap(function()
    local found = {}
    for n = 2, limit do
      local isp = true
      for _, p in ipairs(found) do
        if p * p > n then break end
        if n % p == 0 then isp = false break end
      end
      if isp then found[#found + 1] = n; coroutine.yield(n) end
    end
  end)
end
local ps = {}
for p in primes(60) do ps[#ps + 1] = p end
print(table.concat(ps, " "))

-- interleaving two generators
local function interleave(g1, g2)
  return coroutine.wrap(function()
    while true do
      local a, b = g1(), g2()
      if a == nil and b == nil then return end
      if a ~= nil then coroutine.yield(a) end
      if b ~= nil then coroutine.yield(b) end
    end
  end)
end
local letters = coroutine.wrap(function() for _, c in ipairs({"a", "b", "c"}) do coroutine.yield(c) end end)
local mixed = {}
for x in interleave(range(3), letters) do mixed[#mixed + 1] = tostring(x) end
print(table.concat(mixed, ""))

-- generator with state passed back in
local counter = coroutine.wrap(function(step)
  local n = 0
  while true do
    n = n + step
    step = coroutine.yield(n) or step
  end
end)
print(counter(1), counter(), counter(10), counter())
