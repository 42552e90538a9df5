-- binary trees (small depth) with checksum, plus a BST
local function bottomUp(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return {bottomUp(depth), bottomUp(depth)}
end
local function itemCheck(tree)
  if tree[1] then return 1 + itemCheck(tree[1]) + itemCheck(tree[2]) end
  return 1
end
local maxDepth = 10
local stretch = bottomUp(maxDepth + 1)
print(string.format("stretch tree of depth %d\t check: %d", maxDepth + 1, itemCheck(stretch)))
local longLived = bottomUp(maxDepth)
for depth = 4, maxDepth, 2 do
  local iters = 1 << (maxDepth - depth + 4)
  local check = 0
  for _ = 1, iters do check = check + itemCheck(bottomUp(depth)) end
  print(string.format("%d\t trees of depth %d\t check: %d", iters, depth, check))
end
print(string.format("long lived tree of depth %d\t check: %d", maxDepth, itemCheck(longLived)))

-- binary search tree
local BST = {}
BST.__index = BST
function BST.new() return setmetatable({root = nil, size = 0}, BST) end
function BST:insert(k)
  local node = {key = k}
  if not self.root then self.root = node; self.size = 1; return true end
  local cur = self.root
  while true do
    if k == cur.key then return false end
    local side = k < cur.key and "left" or "right"
    if cur[side] then cur = cur[side] else cur[side] = node; self.size = self.size + 1; return true end
  end
end
function BST:contains(k)
  local cur = self.root
  while cur do
    if k == cur.key then return true end
    cur = k < cur.key and cur.left or cur.right
  end
  return false
end
local function height(n) if not n then return 0 end return 1 + math.max(height(n.left), height(n.right)) end
local function inorder(n, out) if n then inorder(n.left, out); out[#out + 1] = n.key; inorder(n.right, out) end return out end
local function preorder(n, out) if n then out[#out + 1] = n.key; preorder(n.left, out); preorder(n.right, out) end return out end

local t = BST.new()
local seq = {50, 30, 70, 20, 40, 60, 80, 35, 45, 65, 30, 50}
local inserted = 0
for _, k in ipairs(seq) do if t:insert(k) then inserted = inserted + 1 end end
print("size", t.size, "inserted", inserted, "height", height(t.root))
print("inorder", table.concat(inorder(t.root, {}), " "))
print("preorder", table.concat(preorder(t.root, {}), " "))
print(t:contains(45), t:contains(46), t:contains(80))

-- checksum over a pseudo-random tree (deterministic LCG)
local seed = 12345
local function lcg() seed = (seed * 1103515245 + 12345) % 2147483648 return seed end
local big = BST.new()
for _ = 1, 500 do big:insert(lcg() % 10000) end
local keys = inorder(big.root, {})
local checksum = 0
for i, k in ipairs(keys) do checksum = (checksum * 31 + k * i) % 1000000007 end
print("big size", big.size, "height", height(big.root), "checksum", checksum)
print("min", keys[1], "max", keys[#keys])

-- tree mirror and equality
local function mirror(n) if not n then return nil end return {key = n.key, left = mirror(n.right), right = mirror(n.left)} end
local function same(a, b)
  if a == nil or b == nil then return a == b end
  return a.key == b.key and same(a.left, b.left) and same(a.right, b.right)
end
local m = mirror(t.root)
print("mirror inorder", table.concat(inorder(m, {}), " "))
print(same(t.root, mirror(m)), same(t.root, m))
