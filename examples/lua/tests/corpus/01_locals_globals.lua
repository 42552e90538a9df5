-- locals vs globals, shadowing, scopes
g = 10
local l = 20
print(g, l)
print(_G.g, _G.l)

local function show()
  return g, l
end
print(show())

do
  local g = "shadow"
  print("inner g:", g)
  g = "changed inner"
  print("inner g now:", g)
end
print("outer g:", g)

-- assignment to undeclared name creates global
function setglobal()
  newglobal = "created"
end
print(newglobal)
setglobal()
print(newglobal, _G.newglobal)

-- nested shadowing
local x = 1
do
  local x = x + 1
  do
    local x = x * 10
    print("level3", x)
  end
  print("level2", x)
end
print("level1", x)

-- local without value is nil
local a, b, c
print(a, b, c)

-- globals via _G with string keys
_G["weird name"] = 42
print(_G["weird name"])

-- setting global to nil removes it
g = nil
print(g, rawget(_G, "g"))

-- local functions can be recursive, local f = function can't see itself
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(10))

local ok = pcall(function()
  local selfref = function(n) return selfref end
  return selfref(1)
end)
print("selfref via global lookup ok:", ok)

-- <const> and <close> attribs
local K <const> = 99
print(K)
do
  local closed = {}
  local mt = {__close = function(o, err) print("closing", o.name, err) end}
  local h <close> = setmetatable({name = "h1"}, mt)
  local h2 <close> = setmetatable({name = "h2"}, mt)
  print("in block")
end
print("after block")
-- nil is allowed for <close>
do local n <close> = nil; print("nil close ok") end
