-- option parsing over 'arg' (run with no arguments: defaults are used)
local opts = {verbose = false, count = 1, name = "default", rest = {}}
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "-v" then opts.verbose = true
  elseif a == "-n" then i = i + 1; opts.count = tonumber(arg[i])
  elseif a:sub(1, 7) == "--name=" then opts.name = a:sub(8)
  else opts.rest[#opts.rest + 1] = a end
  i = i + 1
end
print("arg count", #arg)
print("first arg", arg[1])
print("verbose", opts.verbose)
print("count", opts.count)
print("name", opts.name)
print("rest", #opts.rest, table.concat(opts.rest, ","))

-- the same parser applied to a simulated argument list
local function parse(list)
  local o = {verbose = false, count = 1, name = "default", rest = {}}
  local j = 1
  while j <= #list do
    local a = list[j]
    if a == "-v" then o.verbose = true
    elseif a == "-n" then j = j + 1; o.count = tonumber(list[j])
    elseif a:sub(1, 7) == "--name=" then o.name = a:sub(8)
    else o.rest[#o.rest + 1] = a end
    j = j + 1
  end
  return o
end
local o = parse({"-v", "-n", "5", "--name=test", "file1", "file2"})
print(o.verbose, o.count, o.name, #o.rest, table.concat(o.rest, ","))

-- arg and ... agree
local dots = table.pack(...)
print("dots", dots.n, #arg == dots.n)
for k = 1, dots.n do print(k, dots[k] == arg[k]) end
print("done")
