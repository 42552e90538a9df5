-- Binary trees benchmark (from the Computer Language Benchmarks Game),
-- plus a binary search tree with in-order iteration via coroutines.
local function BottomUpTree(depth)
  if depth > 0 then
    depth = depth - 1
    local left, right = BottomUpTree(depth), BottomUpTree(depth)
    return { left, right }
  else
    return { }
  end
end

local function ItemCheck(tree)
  if tree[1] then
    return 1 + ItemCheck(tree[1]) + ItemCheck(tree[2])
  else
    return 1
  end
end

local N = tonumber(arg and arg[1]) or 10
local mindepth = 4
local maxdepth = mindepth + 2
if maxdepth < N then maxdepth = N end

do
  local stretchdepth = maxdepth + 1
  local stretchtree = BottomUpTree(stretchdepth)
  io.write(string.format("stretch tree of depth %d\t check: %d\n",
    stretchdepth, ItemCheck(stretchtree)))
end

local longlivedtree = BottomUpTree(maxdepth)

for depth = mindepth, maxdepth, 2 do
  local iterations = 2 ^ (maxdepth - depth + mindepth)
  local check = 0
  for i = 1, iterations do
    check = check + ItemCheck(BottomUpTree(depth))
  end
  io.write(string.format("%d\t trees of depth %d\t check: %d\n",
    iterations, depth, check))
end

io.write(string.format("long lived tree of depth %d\t check: %d\n",
  maxdepth, ItemCheck(longlivedtree)))

local BST = {}
BST.__index = BST

function BST.new() return setmetatable({ root = nil, size = 0 }, BST) end

function BST:insert(key, value)
  local node, parent = self.root, nil
  while node do
    parent = node
    if key < node.key then node = node.left
    elseif key > node.key then node = node.right
    else node.value = value; return end
  end
  local new = { key = key, value = value }
  if not parent then self.root = new
  elseif key < parent.key then parent.left = new
  else parent.right = new end
  self.size = self.size + 1
end

function BST:pairs()
  local function walk(node)
    if node then
      walk(node.left)
      coroutine.yield(node.key, node.value)
      walk(node.right)
    end
  end
  return coroutine.wrap(function() walk(self.root) end)
end

local t = BST.new()
for _, k in ipairs { 5, 3, 8, 1, 4, 7, 9, 2, 6 } do t:insert(k, k * k) end
local keys = {}
for k, v in t:pairs() do keys[#keys + 1] = k .. "=" .. v end
print(table.concat(keys, " "), t.size)
