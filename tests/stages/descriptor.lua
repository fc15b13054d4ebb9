-- descriptor.lua - DESCRIPTOR names a technique the catalogue does not have.
DESCRIPTOR = {"openmp", "warp_shuffle"}
function plan(ctx) return {problems = {{shape = "8x8x8", permitted = {}}}} end
