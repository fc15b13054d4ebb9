-- binary.lua - plan() returns a binary chunk loaded through a string: refused (line 4).
function plan(ctx)
  local f = function() return {problems = {{shape = "8x8x8", permitted = {}}}} end
  local g, why = load(string.dump(f), "dumped", "b")
  assert(g, why)
  return g()
end
