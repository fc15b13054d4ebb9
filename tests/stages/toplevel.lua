-- toplevel.lua - a runtime error at the top level, on line 3.
local limit = nil
MAX = limit + 1
function plan(ctx) return {problems = {{shape = "8x8x8", permitted = {}}}} end
