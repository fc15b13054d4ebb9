-- syntax.lua - a syntax error on line 4 (a missing comma).
function plan(ctx)
  return {
    problems = {{shape = "8x8x8" permitted = {}}},
  }
end
