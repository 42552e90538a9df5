-- coroutine status: suspended, running, normal, dead
local A, B
local log = {}
local function st(label) log[#log + 1] = label .. "=" .. coroutine.status(A) .. "/" .. coroutine.status(B) end

A = coroutine.create(function()
  st("A running")
  coroutine.resume(B)
  st("A after B yielded")
  coroutine.yield()
  st("A resumed again")
end)
B = coroutine.create(function()
  st("B running")
  coroutine.yield()
  st("B resumed again")
end)
st("initial")
coroutine.resume(A)
st("A yielded")
coroutine.resume(B)
st("B finished")
coroutine.resume(A)
st("A finished")
for _, l in ipairs(log) do print(l) end

-- status of the running coroutine from inside
local self_status
local c = coroutine.create(function() self_status = coroutine.status(coroutine.running()) end)
coroutine.resume(c)
print("self status:", self_status, coroutine.status(c))

-- main thread status from inside a coroutine
local main = coroutine.running()
local ms
coroutine.wrap(function() ms = coroutine.status(main) end)()
print("main seen from coroutine:", ms)
print("main from main:", coroutine.status(main))

-- isyieldable in various contexts
print(coroutine.isyieldable())
print(coroutine.wrap(function() return coroutine.isyieldable() end)())
-- inside a table.sort comparator (a C function boundary) the coroutine is not yieldable
local inside = coroutine.wrap(function()
  local r
  table.sort({3, 1, 2}, function(a, b) r = coroutine.isyieldable(); return a < b end)
  return r
end)
print("yieldable inside sort comparator:", inside())

-- attempt to yield across a C-call boundary
local cross = coroutine.create(function()
  table.sort({3, 1, 2}, function(a, b) coroutine.yield() return a < b end)
end)
local ok, err = coroutine.resume(cross)
print(ok, (tostring(err):gsub("^[^:]*:%d+: ", "")))

-- status of a coroutine that errored
local bad = coroutine.create(function() error("x") end)
coroutine.resume(bad)
print("errored:", coroutine.status(bad))

-- running() inside coroutine returns the coroutine and false
local co = coroutine.create(function()
  local r, ismain = coroutine.running()
  return r, ismain
end)
local _, r, ismain = coroutine.resume(co)
print(r == co, ismain)

-- wrap generator status via running
local wrapped_status
local gen = coroutine.wrap(function()
  local me = coroutine.running()
  coroutine.yield()
  wrapped_status = coroutine.status(me)
end)
gen(); gen()
print("wrapped running:", wrapped_status)
