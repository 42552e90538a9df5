-- Parts of the standard library written in Lua, compiled when a state is made.

-- string.gmatch (lstrlib's gmatch_aux): each step finds the next match at or after the last
-- one's end, skipping an empty match right where the previous match ended; a leading '^' is an
-- ordinary character here.
do
  local find, sub, pack, unpack = string.find, string.sub, table.pack, table.unpack
  local function gmatch(s, p, init)
    if type(s) == "number" then s = tostring(s) end
    if type(p) == "number" then p = tostring(p) end
    if type(s) ~= "string" then
      error("bad argument #1 to 'gmatch' (string expected, got " .. type(s) .. ")", 2)
    end
    if type(p) ~= "string" then
      error("bad argument #2 to 'gmatch' (string expected, got " .. type(p) .. ")", 2)
    end
    if sub(p, 1, 1) == "^" then p = "%" .. p end
    local len = #s
    local pos = init or 1
    if pos < 0 then pos = len + pos + 1; if pos < 1 then pos = 1 end end
    if pos > len + 1 then pos = len + 1 end
    local last = -1
    return function()
      while pos <= len + 1 do
        local r = pack(find(s, p, pos))
        local st, e = r[1], r[2]
        if st == nil then
          pos = len + 2
          return nil
        end
        if e ~= last then
          pos, last = e + 1, e
          if r.n > 2 then return unpack(r, 3, r.n) end
          return sub(s, st, e)
        end
        pos = st + 1
      end
      return nil
    end
  end
  string.gmatch = gmatch
end
