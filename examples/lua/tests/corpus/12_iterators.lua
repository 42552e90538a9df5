-- custom iterators: stateless and closure-based
-- stateless iterator
local function iter(t, i)
  i = i + 1
  local v = t[i]
  if v then return i, v end
end
local function myipairs(t) return iter, t, 0 end
for i, v in myipairs({"p", "q", "r"}) do print(i, v) end

-- stateless range with step
local function rangeIter(state, cur)
  cur = cur + state.step
  if cur <= state.stop then return cur end
end
local function range(a, b, step)
  step = step or 1
  return rangeIter, {stop = b, step = step}, a - step
end
local r = {}
for x in range(1, 10, 3) do r[#r + 1] = x end
print(table.concat(r, " "))

-- closure-based iterator
local function words(s)
  local pos = 1
  return function()
    local st, en = s:find("%a+", pos)
    if st then
      pos = en + 1
      return s:sub(st, en)
    end
  end
end
for w in words("the quick, brown fox!") do print(w) end

-- iterator returning multiple values
local function enumerate(t)
  local i = 0
  return function()
    i = i + 1
    if t[i] ~= nil then return i, t[i], i * 2 end
  end
end
for i, v, d in enumerate({"a", "b"}) do print(i, v, d) end

-- sorted pairs iterator
local function spairs(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, t[k] end
  end
end
for k, v in spairs({zeta = 26, alpha = 1, mid = 13}) do print(k, v) end

-- fibonacci iterator with limit
local function fibs(limit)
  local a, b = 0, 1
  return function()
    if a > limit then return nil end
    local r = a
    a, b = b, a + b
    return r
  end
end
local fl = {}
for f in fibs(100) do fl[#fl + 1] = f end
print(table.concat(fl, ","))

-- iterator with explicit control variable and state
local function chars(s) return function(str, i)
  i = i + 1
  if i <= #str then return i, str:sub(i, i) end
end, s, 0 end
local cs = {}
for i, c in chars("hey") do cs[#cs + 1] = c .. i end
print(table.concat(cs))

-- generic for with 4th value (closing value) nil
local calls = 0
for v in function(_, c) calls = calls + 1; if c < 3 then return c + 1 end end, nil, 0, nil do end
print("calls", calls)

-- to-be-closed value in generic for
do
  local closer = setmetatable({}, {__close = function() print("iterator closed") end})
  local function it(_, c) if c < 2 then return c + 1 end end
  for v in it, nil, 0, closer do print("v", v) end
  for v in it, nil, 0, closer do if v == 1 then break end end
end
