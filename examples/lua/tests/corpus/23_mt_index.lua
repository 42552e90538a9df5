-- __index as table and as function
local defaults = {color = "red", size = 10}
local obj = setmetatable({size = 20}, {__index = defaults})
print(obj.color, obj.size, obj.missing)
print(rawget(obj, "color"))

-- chained __index tables
local A = {a = "from A"}
local B = setmetatable({b = "from B"}, {__index = A})
local C = setmetatable({c = "from C"}, {__index = B})
print(C.a, C.b, C.c, C.d)

-- __index function receives table and key
local calls = {}
local computed = setmetatable({}, {__index = function(t, k)
  calls[#calls + 1] = tostring(k)
  if type(k) == "number" then return k * k end
  return "key:" .. tostring(k)
end})
print(computed[4], computed.x, computed[1.5])
print(table.concat(calls, ","))

-- __index function caching into table
local cache = setmetatable({}, {__index = function(t, k)
  local v = #k
  rawset(t, k, v)
  return v
end})
print(cache.hello, rawget(cache, "hello"), cache.hi)

-- __index not called for existing keys, even if value is false
local f = setmetatable({flag = false}, {__index = function() return "meta" end})
print(f.flag, f.other)

-- __index on strings via string metatable
print(("abc").len == string.len, ("abc"):len())

-- default value table
local function withDefault(d)
  return setmetatable({}, {__index = function() return d end})
end
local zeros = withDefault(0)
zeros.x = 5
print(zeros.x, zeros.y, zeros[100])

-- __index with rawget inside to avoid recursion
local proxy
proxy = setmetatable({real = 1}, {__index = function(t, k)
  return "absent " .. k .. " (real=" .. rawget(t, "real") .. ")"
end})
print(proxy.fake)

-- __index metamethod chain through function and table mix
local base = {greet = function(self) return "hi " .. self.name end}
local mid = setmetatable({}, {__index = base})
local inst = setmetatable({name = "bob"}, {__index = mid})
print(inst:greet())

-- __index on a metatable-less value errors
local ok, e = pcall(function() local n = 5; return n.x end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))
ok, e = pcall(function() local b = true; return b.x end)
print(ok, (e:gsub("^[^:]*:%d+: ", "")))

-- array-like proxy with __index
local arr = setmetatable({}, {__index = function(_, i) return i * 10 end})
print(arr[1], arr[2], arr[3], #arr)
