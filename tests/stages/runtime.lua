-- runtime.lua - plan() fails; ctx.seed picks how, each on its own line.
local function ok() return {problems = {{shape = "8x8x8", permitted = {}}}} end
local function helper(t) return t.field end
function plan(ctx)
  if ctx.seed == 1 then local t = nil; return t.problems end   -- line 5
  if ctx.seed == 2 then error("failed on purpose") end          -- line 6
  if ctx.seed == 3 then error({code = 7}) end                   -- line 7
  if ctx.seed == 4 then error("no position", 0) end             -- line 8
  if ctx.seed == 5 then return helper(nil) end                  -- line 9 (the error is on 3)
  if ctx.seed == 6 then local r = perfrl.combinations(5, 1); return r end -- line 10
  if ctx.seed == 7 then return 1 + plan(ctx) end                -- line 11: endless recursion
  if ctx.seed == 9 then return perfrl.combinations(5, 1) end    -- a tail call: no line
  if ctx.seed == 8 then error(setmetatable({}, {__tostring = function() return "custom" end})) end
  return ok()
end
