-- noplan.lua - defines no plan(ctx).
function plans(ctx) return {} end
