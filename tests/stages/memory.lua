-- memory.lua - plan() eats memory when ctx.seed is 1 (a table of strings) or 2 (one string).
KEEP = {}
function plan(ctx)
  if ctx.seed == 1 then
    local t = {}
    for i = 1, 1e9 do t[i] = ("x"):rep(1 << 16) .. i end   -- line 6
  end
  if ctx.seed == 2 then return ("x"):rep(1 << 30) end        -- line 8
  if ctx.seed == 3 then KEEP[#KEEP + 1] = ("y"):rep(1 << 20) end
  return {problems = {{shape = "8x8x8", permitted = {}}}, note = tostring(#KEEP)}
end
