-- A small test harness for headless Neovim: cases run in order, each result
-- is a line "ok - name" or "not ok - name: why" in $RUSTKO_RESULTS (and on
-- stderr), and Neovim exits 0 only when every case passed. A deadline ends a
-- hung run with a failure instead of hanging the caller.
local T = { passed = 0, failed = 0 }

local results = assert(os.getenv('RUSTKO_RESULTS'), 'RUSTKO_RESULTS must name the results file')
local out = assert(io.open(results, 'w'))

local function line(s)
  out:write(s, '\n')
  out:flush()
  io.stderr:write(s, '\n')
end

function T.case(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    T.passed = T.passed + 1
    line('ok - ' .. name)
  else
    T.failed = T.failed + 1
    line('not ok - ' .. name .. ': ' .. tostring(err):gsub('\n', '\n#   '))
  end
  return ok
end

function T.eq(got, want, what)
  if not vim.deep_equal(got, want) then
    error(('%s: got %s, want %s'):format(what or 'value', vim.inspect(got), vim.inspect(want)), 2)
  end
end

function T.truthy(v, what)
  if not v then
    error((what or 'condition') .. ' does not hold', 2)
  end
  return v
end

--- Waits for cond() up to ms, processing events; fails naming what was awaited.
function T.wait(ms, what, cond)
  local ok = vim.wait(ms, cond, 50)
  if not ok then
    error(('timed out after %d ms waiting for %s'):format(ms, what), 2)
  end
end

function T.finish()
  line(('%d passed, %d failed'):format(T.passed, T.failed))
  out:close()
  if T.failed > 0 then
    vim.cmd('cquit! 1')
  else
    vim.cmd('qall!')
  end
end

function T.deadline(ms)
  vim.defer_fn(function()
    line(('not ok - deadline: the run took more than %d ms'):format(ms))
    T.failed = T.failed + 1
    T.finish()
  end, ms)
end

--- A fresh temp folder holding files (paths relative to it; "x/" is a folder).
function T.tree(files)
  local root = vim.fn.tempname()
  vim.fn.mkdir(root, 'p')
  for _, f in ipairs(files) do
    local p = root .. '/' .. f
    if f:sub(-1) == '/' then
      vim.fn.mkdir(p, 'p')
    else
      vim.fn.mkdir(vim.fn.fnamemodify(p, ':h'), 'p')
      vim.fn.writefile({}, p)
    end
  end
  return vim.loop.fs_realpath(root)
end

return T
