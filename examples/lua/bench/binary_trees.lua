-- binary_trees.lua: the benchmarks-game binary-trees program, written for this suite.
--
-- Allocates many short-lived complete binary trees (a node is a table {left, right}; a leaf is
-- an empty table), walks each to count its nodes, and keeps one long-lived tree alive for the
-- whole run. It measures allocation throughput and how the collector copes with a steady stream
-- of short-lived garbage next to a long-lived structure.
--
-- Usage: lua binary_trees.lua [max_depth]   (default 16)
-- Output: the usual binary-trees lines; the check counts are the checksum.

local max_depth = arg and arg[1] and math.floor(arg[1]) or 16
local min_depth = 4
if max_depth < min_depth + 2 then max_depth = min_depth + 2 end

local function bottom_up_tree(depth)
  if depth > 0 then
    depth = depth - 1
    return { bottom_up_tree(depth), bottom_up_tree(depth) }
  end
  return {}
end

local function item_check(tree)
  local left = tree[1]
  if left then
    return 1 + item_check(left) + item_check(tree[2])
  end
  return 1
end

local stretch_depth = max_depth + 1
print("stretch tree of depth", stretch_depth, "check:", item_check(bottom_up_tree(stretch_depth)))

local long_lived_tree = bottom_up_tree(max_depth)

for depth = min_depth, max_depth, 2 do
  local iterations = 1 << (max_depth - depth + min_depth)
  local check = 0
  for _ = 1, iterations do
    check = check + item_check(bottom_up_tree(depth))
  end
  print(iterations, "trees of depth", depth, "check:", check)
end

print("long lived tree of depth", max_depth, "check:", item_check(long_lived_tree))
