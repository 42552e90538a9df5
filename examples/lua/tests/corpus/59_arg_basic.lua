-- the global 'arg' table when the script is run without extra arguments
print(type(arg))
print(#arg)
print(arg[1])
print(arg[2])
print(select('#', ...))
print(type(arg[0]))          -- the script name (its value is not printed)
print(arg[0] ~= nil and arg[0]:match("59_arg_basic%.lua$") ~= nil)
local n = 0
for i = 1, #arg do n = n + 1 end
print("loop count", n)
-- ipairs over arg yields nothing (positive indices only)
local c = 0
for _ in ipairs(arg) do c = c + 1 end
print("ipairs count", c)
-- negative indices hold the interpreter name
print(type(arg[-1]))
print(arg[-1] ~= nil)
-- arg is an ordinary table
arg.custom = "added"
print(arg.custom)
arg[1] = "set by script"
print(#arg, arg[1])
arg[1] = nil
print(#arg)
-- the script's varargs are the arguments too
local function count(...) return select('#', ...) end
print(count(...))
local packed = table.pack(...)
print(packed.n, packed[1])
print(table.unpack(arg, 1, #arg))
print(table.concat(arg, " "))
print(rawlen(arg))
print(next(arg, nil) ~= nil)
