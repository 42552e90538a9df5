-- coroutine create/resume/yield, passing values in and out
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "done", d + e
end)
print(type(co), coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co))
print(coroutine.resume(co))

-- yield with no values / multiple values
local co2 = coroutine.create(function()
  coroutine.yield()
  coroutine.yield(1, 2, 3)
  coroutine.yield(nil)
end)
print(select('#', coroutine.resume(co2)))
print(coroutine.resume(co2))
print(select('#', coroutine.resume(co2)))
print(coroutine.resume(co2))
print(coroutine.resume(co2))

-- wrap
local gen = coroutine.wrap(function(...)
  local args = {...}
  for i = 1, #args do coroutine.yield(args[i] * 10) end
  return "end"
end)
print(gen(1, 2, 3), gen(), gen(), gen())

-- isyieldable and running
print(coroutine.isyieldable())
local main, ismain = coroutine.running()
print(type(main), ismain)
local inner = coroutine.create(function()
  local me, im = coroutine.running()
  print("inside isyieldable", coroutine.isyieldable(), "ismain", im, type(me))
  return coroutine.status(me)
end)
print(coroutine.resume(inner))

-- yield across nested function calls (not across C boundaries)
local function deep(n)
  if n == 0 then coroutine.yield("bottom") return "up" end
  return deep(n - 1)
end
local dc = coroutine.wrap(function() return deep(5) end)
print(dc(), dc())

-- yielding from inside a for loop inside coroutine, values accumulate
local acc = coroutine.wrap(function()
  local total = 0
  while true do
    local v = coroutine.yield(total)
    total = total + v
  end
end)
acc()
print(acc(5), acc(10), acc(-3))

-- coroutine.close on a suspended coroutine
local cl = coroutine.create(function() coroutine.yield(1) end)
coroutine.resume(cl)
print(coroutine.close(cl), coroutine.status(cl))

-- producer/consumer
local function producer()
  return coroutine.create(function()
    for _, item in ipairs({"a", "b", "c"}) do coroutine.yield(item) end
  end)
end
local function consume(p)
  local out = {}
  while true do
    local ok, item = coroutine.resume(p)
    if not item then break end
    out[#out + 1] = item
  end
  return table.concat(out, "+")
end
print(consume(producer()))
