-- xpcall with handlers, assert
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end

-- handler receives the error object and its return value becomes the result
print(xpcall(function() error("oops", 0) end, function(m) return "handled: " .. m end))
print(xpcall(function() error({1, 2, 3}) end, function(t) return #t end))
print(xpcall(function() return "fine", 2 end, function() return "never" end))

-- extra arguments passed to the function
print(xpcall(function(a, b) return a + b end, print, 3, 4))

-- handler for runtime errors
print(xpcall(function() local x = nil; return x() end, function(m) return "H:" .. strip(m) end))

-- handler can return multiple values? only the first result is kept in 5.4
print(xpcall(function() error("e", 0) end, function(m) return m, "extra" end))

-- handler is called before the stack unwinds (it can see upvalues updated inside)
local state = "initial"
print(xpcall(function() state = "changed before error"; error("x", 0) end, function() return state end))

-- error in the handler
local ok, e = xpcall(function() error("first", 0) end, function(m) error("handler failed", 0) end)
print(ok, type(e))

-- nested xpcall
print(xpcall(function()
  local ok, m = xpcall(function() error("inner", 0) end, function(m) return "[" .. m .. "]" end)
  error("outer saw " .. m, 0)
end, function(m) return "{" .. m .. "}" end))

-- assert returns all its arguments on success
print(assert(1, 2, 3))
print(assert("value"))
print(select('#', assert(true, nil, nil)))
local a, b = assert(10, "msg")
print(a, b)

-- assert failures
print(pcall(assert, false))
print(pcall(assert, nil, "custom message"))
print(pcall(assert, false, 404))
local okt, et = pcall(assert, false, {reason = "tbl"})
print(okt, et.reason)
print(pcall(assert))

-- assert with a function result pattern
local function mayfail(x) if x > 0 then return x else return nil, "non-positive: " .. x end end
print(pcall(function() return assert(mayfail(5)) end))
local okm, em = pcall(function() return assert(mayfail(-1)) end)
print(okm, strip(em))

-- xpcall with a traceback-like handler (no debug library): just decorate
local function handler(m) return "ERROR<" .. strip(m) .. ">" end
print(xpcall(function() local t = {}; return t.a.b end, handler))
print(xpcall(function() return #nil end, handler))

-- xpcall inside coroutine
local co = coroutine.wrap(function()
  return xpcall(function() coroutine.yield("yielded inside xpcall"); error("after", 0) end, function(m) return "caught " .. m end)
end)
print(co())
print(co())
