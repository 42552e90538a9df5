-- errors and coroutines
local function strip(e) return (tostring(e):gsub("^[^:]*:%d+: ", "")) end

-- error inside coroutine: resume returns false, msg; coroutine is dead
local co = coroutine.create(function() error("boom") end)
local ok, msg = coroutine.resume(co)
print(ok, strip(msg), coroutine.status(co))
print(coroutine.resume(co))

-- error with a table value
local co2 = coroutine.create(function() coroutine.yield(1); error({code = 7}) end)
print(coroutine.resume(co2))
local ok2, e2 = coroutine.resume(co2)
print(ok2, type(e2), e2.code)

-- error with level 0 keeps message unchanged
local co3 = coroutine.create(function() error("plain", 0) end)
print(coroutine.resume(co3))

-- wrap propagates errors to the caller
local w = coroutine.wrap(function() error("wrapped failure", 0) end)
print(pcall(w))
local w2 = coroutine.wrap(function() local x = nil; return x.field end)
local okw, ew = pcall(w2)
print(okw, strip(ew))
-- calling a dead wrapped coroutine
local w3 = coroutine.wrap(function() return 1 end)
print(w3())
local okd, ed = pcall(w3)
print(okd, strip(ed))

-- pcall inside a coroutine, yielding across pcall is allowed in 5.4
local co4 = coroutine.create(function()
  local ok, v = pcall(function()
    local got = coroutine.yield("yield inside pcall")
    if got == "fail" then error("failed after yield", 0) end
    return got
  end)
  coroutine.yield(ok, v)
  return "finished"
end)
print(coroutine.resume(co4))
print(coroutine.resume(co4, "fail"))
print(coroutine.resume(co4))

-- coroutine inside pcall
print(pcall(function()
  local c = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
  return c(1), c(10)
end))

-- yield outside a coroutine
local oky, ey = pcall(coroutine.yield, 1)
print(oky, strip(ey))

-- resume non-coroutine
print(pcall(coroutine.resume, 42))

-- resuming itself / resuming a normal coroutine
local selfco
selfco = coroutine.create(function() return coroutine.resume(selfco) end)
print(coroutine.resume(selfco))
local outerco
outerco = coroutine.create(function()
  local innerco = coroutine.create(function() return coroutine.resume(outerco) end)
  return coroutine.resume(innerco)
end)
print(coroutine.resume(outerco))

-- error in nested coroutine propagates only to its resumer
local nest = coroutine.create(function()
  local sub = coroutine.create(function() error("inner error", 0) end)
  local ok, m = coroutine.resume(sub)
  coroutine.yield("sub reported: " .. tostring(ok) .. " " .. m)
  return "outer fine"
end)
print(coroutine.resume(nest))
print(coroutine.resume(nest))

-- coroutine.close on a coroutine that died with an error returns false, err
local ce = coroutine.create(function() error("closing error", 0) end)
coroutine.resume(ce)
print(coroutine.close(ce))

-- error object passes through multiple levels unchanged
local obj = {}
local cc = coroutine.wrap(function() error(obj) end)
local okc, ec = pcall(cc)
print(okc, ec == obj)
