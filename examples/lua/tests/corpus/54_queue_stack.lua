-- queue and stack classes with metatables
local Stack = {}
Stack.__index = Stack
Stack.__len = function(s) return s.n end
Stack.__tostring = function(s)
  local parts = {}
  for i = 1, s.n do parts[i] = tostring(s.items[i]) end
  return "Stack[" .. table.concat(parts, ",") .. "]"
end
function Stack.new() return setmetatable({items = {}, n = 0}, Stack) end
function Stack:push(...)
  for i = 1, select('#', ...) do
    self.n = self.n + 1
    self.items[self.n] = select(i, ...)
  end
  return self
end
function Stack:pop()
  if self.n == 0 then return nil, "empty stack" end
  local v = self.items[self.n]
  self.items[self.n] = nil
  self.n = self.n - 1
  return v
end
function Stack:peek() return self.items[self.n] end

local s = Stack.new():push(1, 2, 3)
print(tostring(s), #s, s:peek())
print(s:pop(), s:pop(), #s)
print(s:pop(), s:pop())
print(tostring(s:push("a", "b")))

-- queue with two indices
local Queue = {}
Queue.__index = Queue
function Queue.new() return setmetatable({first = 1, last = 0, items = {}}, Queue) end
function Queue:push(v) self.last = self.last + 1; self.items[self.last] = v end
function Queue:pop()
  if self.first > self.last then return nil end
  local v = self.items[self.first]
  self.items[self.first] = nil
  self.first = self.first + 1
  return v
end
function Queue:size() return self.last - self.first + 1 end
Queue.__len = Queue.size

local q = Queue.new()
for i = 1, 5 do q:push(i * 10) end
print(#q, q:pop(), q:pop(), #q)
q:push(60)
local drained = {}
while #q > 0 do drained[#drained + 1] = q:pop() end
print(table.concat(drained, " "), q:pop(), #q)

-- balanced brackets using stack
local function balanced(str)
  local st = Stack.new()
  local pairs_ = {[")"] = "(", ["]"] = "[", ["}"] = "{"}
  for c in str:gmatch(".") do
    if c == "(" or c == "[" or c == "{" then st:push(c)
    elseif pairs_[c] then
      if st:pop() ~= pairs_[c] then return false end
    end
  end
  return #st == 0
end
for _, str in ipairs({"()", "([]{})", "(]", "((", "{[()()]}", ""}) do
  print(string.format("%-10s %s", string.format("%q", str), tostring(balanced(str))))
end

-- BFS on a small graph with the queue
local graph = {a = {"b", "c"}, b = {"d"}, c = {"d", "e"}, d = {"f"}, e = {"f"}, f = {}}
local function bfs(start)
  local dist, order = {[start] = 0}, {}
  local qq = Queue.new()
  qq:push(start)
  while qq:size() > 0 do
    local node = qq:pop()
    order[#order + 1] = node .. "=" .. dist[node]
    for _, nb in ipairs(graph[node]) do
      if dist[nb] == nil then dist[nb] = dist[node] + 1; qq:push(nb) end
    end
  end
  return table.concat(order, " ")
end
print(bfs("a"))

-- RPN calculator with stack
local function rpn(expr)
  local st = Stack.new()
  for tok in expr:gmatch("%S+") do
    local n = tonumber(tok)
    if n then st:push(n) else
      local b, a = st:pop(), st:pop()
      if tok == "+" then st:push(a + b) elseif tok == "-" then st:push(a - b)
      elseif tok == "*" then st:push(a * b) elseif tok == "/" then st:push(a / b)
      elseif tok == "^" then st:push(a ^ b) end
    end
  end
  return st:pop()
end
print(rpn("3 4 + 2 *"), rpn("5 1 2 + 4 * + 3 -"), rpn("2 3 ^"), rpn("10 4 /"))
