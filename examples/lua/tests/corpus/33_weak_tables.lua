-- weak tables: __mode "k", "v", "kv"
collectgarbage("stop") -- only explicit full collections
local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end

-- weak keys
local wk = setmetatable({}, {__mode = "k"})
local k1, k2, k3 = {}, {}, {}
wk[k1] = "one"; wk[k2] = "two"; wk[k3] = "three"
print("weak keys before", count(wk))
k2 = nil
collectgarbage()
print("weak keys after dropping one", count(wk), wk[k1], wk[k3])
k1, k3 = nil, nil
collectgarbage()
print("weak keys after dropping all", count(wk))

-- weak values
local wv = setmetatable({}, {__mode = "v"})
local v1 = {}
wv[1] = v1
wv[2] = {}          -- only referenced weakly
wv.name = "a string" -- strings are values, never removed
wv.num = 42
wv.flag = true
print("weak values before", count(wv))
collectgarbage()
print("weak values after", count(wv), wv[1] == v1, wv[2], wv.name, wv.num, wv.flag)
v1 = nil
collectgarbage()
print("weak values after drop", count(wv), wv[1])

-- weak keys do not remove entries whose keys are strings/numbers
local wk2 = setmetatable({}, {__mode = "k"})
wk2.str = {}
wk2[10] = {}
collectgarbage()
print("non-object keys kept", count(wk2))

-- "kv": entry removed if either key or value is collected
local wkv = setmetatable({}, {__mode = "kv"})
local keyA, valA = {}, {}
local keyB, valB = {}, {}
wkv[keyA] = valA
wkv[keyB] = valB
wkv.s = valA
print("kv before", count(wkv))
valA = nil
collectgarbage()
print("kv after dropping valA", count(wkv), wkv[keyB] == valB)
keyB = nil
collectgarbage()
print("kv after dropping keyB", count(wkv))

-- weak value cache pattern
local cache = setmetatable({}, {__mode = "v"})
local function getobj(id)
  local o = cache[id]
  if not o then o = {id = id}; cache[id] = o end
  return o
end
local held = getobj(1)
getobj(2); getobj(3)
print("cache size", count(cache))
collectgarbage()
print("cache size after gc", count(cache), cache[1] == held)

-- functions and closures as weak values
local fns = setmetatable({}, {__mode = "v"})
local keepf = function() return 1 end
fns[1] = keepf
local function mkclosure() local up = {} return function() return up end end
fns[2] = mkclosure()
collectgarbage()
print("closures", count(fns), fns[1] == keepf)

-- mode set after creation still works (mode read at collection time)
local late = {}
late[1] = {}
setmetatable(late, {__mode = "v"})
collectgarbage()
print("late mode", count(late))

-- weak table referenced from inside its own value cycle
local wcycle = setmetatable({}, {__mode = "k"})
local function fill()
  local a = {}
  wcycle[a] = {back = a} -- value refers to key: ephemeron, collectable
end
fill()
collectgarbage()
print("self-referencing entry", count(wcycle))
