-- varargs, select, table.pack/unpack
local function f(...)
  local n = select('#', ...)
  local a, b = ...
  return n, a, b
end
print(f())
print(f(1))
print(f(1, 2, 3))
print(f(nil, nil, nil))

local function nth(n, ...) return (select(n, ...)) end
print(nth(1, "a", "b", "c"), nth(3, "a", "b", "c"))
print(select(2, "a", "b", "c"))
print(select(-1, "a", "b", "c"))
print(select(-2, "a", "b", "c"))
print(select(4, "a", "b", "c"))
print(select('#', select(4, "a", "b", "c")))
print(pcall(select, 0, "a"))

local p = table.pack(1, nil, 3, nil)
print(p.n, p[1], p[2], p[3], p[4])
print(table.pack().n)
print(table.unpack(p, 1, p.n))

-- varargs in table constructors
local function tolist(...) return {...} end
local l = tolist(5, 6, 7)
print(#l, l[1], l[3])

-- sum of varargs
local function sum(...)
  local s = 0
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    s = s + v
  end
  return s
end
print(sum(), sum(1), sum(1, 2, 3, 4, 5))

-- varargs forwarding
local function forward(...) return select('#', ...), ... end
print(forward(nil, 2, nil))

-- vararg with fixed params
local function fixed(a, b, ...)
  return a, b, select('#', ...)
end
print(fixed(1))
print(fixed(1, 2, 3, 4))

-- ... in middle of list truncated
local function mid(...) return ..., "last" end
print(mid(1, 2, 3))

-- ipairs over {...} stops at nil; pack keeps n
local function iter(...)
  local c = 0
  for _, v in ipairs({...}) do c = c + 1 end
  return c, table.pack(...).n
end
print(iter(1, 2, nil, 4))

-- varargs captured via table in closure
local function bind(fn, ...)
  local args = table.pack(...)
  return function(...)
    local all = {table.unpack(args, 1, args.n)}
    local more = table.pack(...)
    for i = 1, more.n do all[args.n + i] = more[i] end
    return fn(table.unpack(all, 1, args.n + more.n))
  end
end
local add3 = bind(function(a, b, c) return a + b + c end, 1, 2)
print(add3(3))
print(bind(print, "x", nil)("y"))

-- string.format with varargs
local function fmt(...) return string.format(...) end
print(fmt("%d-%s-%q", 1, "two", "3"))
