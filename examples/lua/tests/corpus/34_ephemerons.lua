-- ephemeron tables and weak values vs finalizers (Lua 5.4 manual 2.5.4)
collectgarbage("stop") -- only explicit full collections
local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end

-- ephemeron chain: value of each entry refers to the key of the next entry
local eph = setmetatable({}, {__mode = "k"})
local head
local function build(n)
  local keys = {}
  for i = 1, n do keys[i] = {id = i} end
  for i = 1, n do
    eph[keys[i]] = {nextkey = keys[i + 1], id = i}
  end
  return keys[1]
end
head = build(5)
collectgarbage()
print("chain with head held", count(eph))
-- walk the chain from head
local walked, k = {}, head
while k do walked[#walked + 1] = eph[k].id; k = eph[k].nextkey end
print("walk", table.concat(walked, " "))
head = nil
collectgarbage()
print("chain after dropping head", count(eph))

-- reverse chain: held key at the end keeps only itself
local eph2 = setmetatable({}, {__mode = "k"})
local function build2(n)
  local keys = {}
  for i = 1, n do keys[i] = {} end
  for i = 1, n do eph2[keys[i]] = {prevkey = keys[i - 1]} end
  return keys[n]
end
local tail = build2(4)
collectgarbage()
print("reverse chain with last key held", count(eph2))
tail = nil
collectgarbage()
print("reverse chain dropped", count(eph2))

-- value refers to its own key: still collectable
local eph3 = setmetatable({}, {__mode = "k"})
local function selfref() local key = {} eph3[key] = {key} end
selfref(); selfref()
collectgarbage()
print("self-referential values", count(eph3))

-- weak values to objects with finalizers are cleared BEFORE the finalizer runs;
-- weak keys are cleared only in the next collection (after the object is freed)
local wv = setmetatable({}, {__mode = "v"})
local wk = setmetatable({}, {__mode = "k"})
local report = {}
local function mk()
  local o = setmetatable({name = "fin"}, {__gc = function(self)
    report[#report + 1] = "in finalizer: weak value present = " .. tostring(wv[1] ~= nil)
    report[#report + 1] = "in finalizer: weak key entries = " .. count(wk)
  end})
  wv[1] = o
  wk[o] = "payload"
end
mk()
print("before collect", count(wv), count(wk))
collectgarbage()
for _, line in ipairs(report) do print(line) end
print("after first collect", count(wv), count(wk))
collectgarbage()
print("after second collect", count(wv), count(wk))

-- resurrected object: weak value cleared, but object alive via global
local wv2 = setmetatable({}, {__mode = "v"})
local function mk2()
  local o = setmetatable({tag = "zombie"}, {__gc = function(self) ZOMBIE = self end})
  wv2.obj = o
end
mk2()
collectgarbage()
print("resurrected:", ZOMBIE.tag, wv2.obj)
ZOMBIE = nil
collectgarbage()
print("gone", ZOMBIE)
