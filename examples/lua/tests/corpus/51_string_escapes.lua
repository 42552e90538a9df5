-- escape sequences and long strings
print("tab:\tend", "newline:\nend")
print("backslash \\ quote \" apostrophe \' ")
print('single "double" inside', "double 'single' inside")
print("\x41\x42\x43", "\65\66\67", "\u{48}\u{49}", "\072\101\108\108\111")
print(#"\u{7FF}", #"\u{FFFF}", #"\u{10FFFF}", #"\u{7FFFFFFF}")
print(("\u{E9}"):byte(1, -1))
print("\a\b\f\v\r" == string.char(7, 8, 12, 11, 13))
print("line1\z
       line2")
print("a\z    b", #"a\z

  b")
print("\0" == string.char(0), #"a\0b", ("a\0b"):byte(2))
print("\9|\10|" == "\t|\n|")
print("\1234" == string.char(123) .. "4")
print("continued \
line")

-- long strings
local ls = [[
first line (leading newline skipped)
second line with "quotes" and \n not an escape]]
print(ls)
print(#[[]], [[a]] .. [[b]])
print([==[contains ]] and ]=] inside]==])
print([=[
]=] == "", [[

x]] == "\nx")
local multi = [[
line 1
line 2
line 3]]
local n = 0
for _ in multi:gmatch("[^\n]+") do n = n + 1 end
print("lines", n)

-- comments
--[[ a long
comment ]] print("after long comment")
--[==[ another
]] still comment
]==] print("after level-2 comment")
---[[ this is a line comment, so the next line runs
print("not commented")
--]]

-- string with all printable ASCII
local printable = {}
for i = 32, 126 do printable[#printable + 1] = string.char(i) end
print(table.concat(printable))

-- escapes inside patterns and format
print(("a\tb"):find("\t"), ("x\ny"):gsub("\n", "\\n"))
print(string.format("%q", "tab\there"))

-- (invalid escapes are compile-time errors, so only valid ones appear here)
print("\z")
print(#"\z   ")
