-- closures and shared upvalues
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
print(c1(), c1(), c1(), c2(), c1(), c2())

-- two closures sharing one upvalue
local function pair()
  local v = 0
  local function get() return v end
  local function set(x) v = x end
  local function inc() v = v + 1 end
  return get, set, inc
end
local get, set, inc = pair()
print(get())
set(10); inc(); inc()
print(get())

-- closure sees later modification of the enclosing local
local x = 1
local function readx() return x end
x = 2
print(readx())
x = 3
print(readx())

-- nested closures, multiple levels of upvalues
local function outer()
  local a = 1
  return function()
    local b = 10
    return function()
      a = a + 1
      b = b + 1
      return a + b
    end
  end
end
local mid = outer()
local f1 = mid()
local f2 = mid()
print(f1(), f1(), f2(), f1())

-- accumulator generator
local function makeAcc(start)
  return function(d) start = start + d; return start end
end
local acc = makeAcc(100)
print(acc(10), acc(-5), acc(0.5))

-- closures in a table, bank account
local function account(balance)
  local self = {}
  function self.deposit(v) balance = balance + v end
  function self.withdraw(v)
    if v > balance then return nil, "insufficient funds" end
    balance = balance - v
    return balance
  end
  function self.balance() return balance end
  return self
end
local acct = account(50)
acct.deposit(25)
print(acct.balance())
print(acct.withdraw(100))
print(acct.withdraw(30))

-- memoize wrapper
local function memoize(f)
  local cache, calls = {}, 0
  return function(n)
    if cache[n] == nil then calls = calls + 1; cache[n] = f(n) end
    return cache[n]
  end, function() return calls end
end
local sq, ncalls = memoize(function(n) return n * n end)
print(sq(4), sq(4), sq(5), ncalls())

-- upvalue shared after the enclosing function returned
local function mk()
  local shared = {}
  local function add(v) shared[#shared + 1] = v end
  local function dump() return table.concat(shared, "|") end
  return add, dump
end
local add, dump = mk()
add("a"); add("b"); add("c")
print(dump())

-- closures over parameters
local function adder(n) return function(m) return n + m end end
local add5 = adder(5)
print(add5(1), adder(-1)(1))
