-- rustko: Neovim's built-in LSP client for rustko-lsp, the language server
-- for Linux kernel modules written in Rust the rust.ko way. One file serves
-- every Neovim from 0.7 on: setup() picks vim.lsp.config/enable (0.11+),
-- vim.lsp.start (0.8+) or vim.lsp.start_client + buf_attach_client (0.7) by
-- what the running Neovim has, and lspconfig() gives an nvim-lspconfig
-- server definition. rustko-lsp runs beside rust-analyzer; neither replaces
-- the other.
local M = {}

local uv = vim.loop

-- Client objects changed shape in 0.11 (methods: client:request(...)); the
-- 0.7-0.10 closures take no self. These keep one code path for both.
local has_011 = vim.fn.has('nvim-0.11') == 1
local function c_request(c, ...)
  if has_011 then
    return c:request(...)
  end
  return c.request(...)
end
local function c_notify(c, ...)
  if has_011 then
    return c:notify(...)
  end
  return c.notify(...)
end
local function c_stop(c)
  if has_011 then
    return c:stop()
  end
  return c.stop()
end
local function c_stopped(c)
  if has_011 then
    return c:is_stopped()
  end
  return c.is_stopped()
end

local function all_clients()
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = 'rustko' })
  end
  local out = {}
  for _, c in pairs(vim.lsp.get_active_clients()) do
    if c.name == 'rustko' then
      table.insert(out, c)
    end
  end
  return out
end

local function buf_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = 'rustko', bufnr = bufnr })
  end
  local out = {}
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'rustko' then
      table.insert(out, c)
    end
  end
  return out
end

M.name = 'rustko'

-- A module root holds one file of each group, the same rule the server and
-- the VS Code extension apply.
M.build_markers = { 'Makefile', 'Kbuild' }
M.project_markers = { 'Cargo.toml', 'config.mk' }
-- For clients that only take a flat list of markers (any of them): every
-- module root holds one of these, but so do other folders, so setup() and
-- lspconfig() use find_root() instead.
M.root_markers = { 'config.mk', 'Cargo.toml', 'Kbuild', 'Makefile' }

M.filetypes = { 'rust' }

-- A module's own files besides its Rust: the client attaches to them too
-- (as VS Code's documentSelector does), so the server hears them saved and
-- reloads the module (a KERNEL_HELPERS quick fix lands in config.mk) and
-- puts their findings on the buffer. Names in the root; *.json there is
-- the target spec; C under src/ is the shim and its headers.
M.config_files = { 'Makefile', 'Kbuild', 'config.mk', 'Cargo.toml' }
M.config_patterns = { 'Makefile', 'Kbuild', 'config.mk', 'Cargo.toml', '*.json', '*.c', '*.h' }
-- What Neovim 0.11's vim.lsp.enable() starts on: the filetypes of those files.
M.config_filetypes = { 'make', 'toml', 'json', 'c', 'cpp' }

-- The server commands (workspace/executeCommand).
M.commands = {
  rebuild = 'rustko.rebuild',
  regenerate = 'rustko.regenerateBindings',
  show_binding = 'rustko.showBinding',
  run = 'rustko.run',
}

local defaults = {
  cmd = nil, -- default: the rustko-lsp found by find_binary()
  -- Server settings (the keys rustko-lsp knows; see server/config.go).
  kernel_dir = nil, -- KERNEL_BUILD_PATH
  rust_root = nil, -- RUST_ROOT
  build_on_save = true,
  helpers = {}, -- added to KERNEL_HELPERS
  extra_headers = {}, -- added to KERNEL_INCLUDE
  -- false for a checkout you have not reviewed: the server then reads the
  -- module without running its Makefile (a $(shell ...) there runs any
  -- command) and builds nothing; analysis and hover still work.
  trusted = true,
  -- Client side.
  on_attach = nil,
  capabilities = nil,
  user_commands = true, -- :RustkoRebuild, :RustkoRun, :RustkoRegenerateBindings, :RustkoShowBinding, :RustkoRestart, :RustkoStatus
}

M.options = vim.deepcopy(defaults)

local function is_file(p)
  local st = uv.fs_stat(p)
  return st ~= nil and st.type == 'file'
end

local function dirname(p)
  local d = p:match('^(.*)/[^/]*$')
  if d == nil or d == '' then
    return '/'
  end
  return d
end

local function any_file(dir, names)
  for _, n in ipairs(names) do
    if is_file(dir .. '/' .. n) then
      return true
    end
  end
  return false
end

--- Whether dir is a rust.ko module root.
function M.is_root(dir)
  return any_file(dir, M.build_markers) and any_file(dir, M.project_markers)
end

--- The module root at or above path (a file or a folder), or nil.
function M.find_root(path)
  if path == nil or path == '' or path:match('^%a[%w+.-]*://') then
    return nil -- unnamed and non-file buffers (fugitive://, term://) have no module
  end
  local p = vim.fn.fnamemodify(path, ':p')
  local st = uv.fs_stat(p)
  local dir = (st and st.type == 'directory') and p:gsub('/$', '') or dirname(p)
  if dir == '' then
    dir = '/'
  end
  while true do
    if M.is_root(dir) then
      return dir
    end
    local parent = dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- The module root of a file the client attaches to, or nil: any Rust file
--- in a module, or one of a module's own configuration files
--- (M.config_files or a *.json in the root, *.c and *.h under src/).
function M.attach_root(path, filetype)
  if filetype == 'rust' or (path or ''):match('%.rs$') then
    return M.find_root(path)
  end
  local root = M.find_root(path)
  if not root then
    return nil
  end
  local p = vim.fn.fnamemodify(path, ':p')
  if p:sub(1, #root + 1) ~= root .. '/' then
    return nil
  end
  local rel = p:sub(#root + 2)
  if vim.tbl_contains(M.config_files, rel) or rel:match('^[^/]+%.json$') or rel:match('^src/.+%.[ch]$') then
    return root
  end
  return nil
end

local function expand(p)
  if p == nil or p == '' then
    return nil
  end
  return vim.fn.fnamemodify(vim.fn.expand(p), ':p'):gsub('/$', '')
end

--- The settings object the server takes (as initializationOptions and in
--- workspace/didChangeConfiguration). It is never empty: Neovim encodes an
--- empty Lua table as a JSON array, which the server would reject.
function M.server_settings(opts)
  opts = opts or M.options
  local s = { buildOnSave = opts.build_on_save ~= false }
  if opts.trusted == false then
    s.trusted = false
    s.buildOnSave = false
  end
  s.kernelDir = expand(opts.kernel_dir)
  s.rustRoot = expand(opts.rust_root)
  if opts.helpers and #opts.helpers > 0 then
    s.helpers = opts.helpers
  end
  if opts.extra_headers and #opts.extra_headers > 0 then
    s.extraHeaders = opts.extra_headers
  end
  return s
end

-- The folder at or above dir whose go.mod is rustko-lsp's: a checkout whose
-- `make build` wrote bin/rustko-lsp.
local function checkout_above(dir)
  while dir do
    local f = io.open(dir .. '/go.mod', 'r')
    if f then
      local text = f:read('*a')
      f:close()
      if text:match('^module%s+github%.com/rustko/rustko%-lsp%s') or text:match('\nmodule%s+github%.com/rustko/rustko%-lsp%s') then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- The rustko-lsp binary: on PATH, else bin/rustko-lsp of a rustko-lsp
--- checkout holding root, else where `go install` puts it. nil and the
--- list of places looked in when there is none.
function M.find_binary(root)
  if vim.fn.executable('rustko-lsp') == 1 then
    return vim.fn.exepath('rustko-lsp')
  end
  local tried = { 'PATH' }
  local cands = {}
  local checkout = root and checkout_above(root)
  if checkout then
    table.insert(cands, checkout .. '/bin/rustko-lsp')
  end
  local gobin = vim.env.GOBIN
  if gobin and gobin ~= '' then
    table.insert(cands, gobin .. '/rustko-lsp')
  end
  local gopath = vim.env.GOPATH
  if gopath == nil or gopath == '' then
    gopath = vim.env.HOME .. '/go'
  end
  for gp in gopath:gmatch('[^:]+') do
    table.insert(cands, gp .. '/bin/rustko-lsp')
  end
  for _, c in ipairs(cands) do
    if vim.fn.executable(c) == 1 then
      return c
    end
    table.insert(tried, c)
  end
  return nil, tried
end

M.install_hint = 'build it in a checkout of github.com/rustko/rustko-lsp with `make build` (bin/rustko-lsp) '
  .. 'or `go install ./cmd/rustko-lsp` (~/go/bin), or pass cmd = { "/path/to/rustko-lsp", "serve" } to setup()'

local warned = false
local function resolve_cmd(root)
  if M.options.cmd then
    return M.options.cmd
  end
  local bin, tried = M.find_binary(root)
  if bin then
    return { bin, 'serve' }
  end
  if not warned then
    warned = true
    vim.notify('rustko: rustko-lsp not found (looked in ' .. table.concat(tried, ', ') .. '); ' .. M.install_hint, vim.log.levels.ERROR)
  end
  return nil
end

-- Build state for the statusline, from the server's $/progress (builds are
-- titled "rustko: building <module>" and end with "<n> findings" or
-- "failed"; binding generation is "rustko: bindings for <module>") and the
-- diagnostics it publishes. A VM run (rustko.run) is "rustko: running
-- <module> in a VM" and ends with its verdict ("rustko: PASS: ...",
-- "rustko: FAIL: ...", "could not run", "build failed", "cancelled").
local function new_state()
  return { building = {}, bindings = {}, running = {}, stage = nil, last = nil, last_run = nil, releases = {} }
end
local state = new_state()

local function on_progress(err, result, ctx, config)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if client and client.name == M.name and result and result.value then
    local v, tok = result.value, tostring(result.token)
    if v.kind == 'begin' and type(v.title) == 'string' and v.title:match('^rustko: running') then
      state.running[tok] = true
    elseif v.kind == 'end' and state.running[tok] then
      state.running[tok] = nil
      -- A run superseded by a newer one keeps the last verdict.
      if type(v.message) == 'string' and v.message ~= '' and not v.message:match('^cancelled') then
        state.last_run = v.message
      end
    elseif v.kind == 'begin' and type(v.title) == 'string' and v.title:match('^rustko: bindings') then
      state.bindings[tok] = true
    elseif v.kind == 'end' and state.bindings[tok] then
      state.bindings[tok] = nil
    elseif v.kind == 'begin' and type(v.title) == 'string' and v.title:match('^rustko: building') then
      state.building[tok] = true
      state.stage = nil
    elseif v.kind == 'report' and state.building[tok] then
      state.stage = v.message
    elseif v.kind == 'end' and state.building[tok] then
      state.building[tok] = nil
      if type(v.message) == 'string' and v.message:match('^%d+ findings?') then
        state.last = 'ok'
      elseif v.message == 'failed' then
        state.last = 'failed'
      end
    end
    pcall(vim.api.nvim_exec_autocmds, 'User', { pattern = 'RustkoStatus', modeline = false })
  end
  local default = vim.lsp.handlers['$/progress']
  if default and default ~= on_progress then
    return default(err, result, ctx, config)
  end
end

-- rustko/status {root, kernelRelease, kernelError}: the kernel each module
-- builds against, for the statusline.
local function on_status(_, result)
  if type(result) == 'table' then
    local root = type(result.root) == 'string' and result.root or ''
    local rel = result.kernelRelease
    state.releases[root] = (type(rel) == 'string' and rel ~= '') and rel or nil
    pcall(vim.api.nvim_exec_autocmds, 'User', { pattern = 'RustkoStatus', modeline = false })
  end
end

-- window/logMessage: the server's log lines, among them a VM run's kernel
-- log lines, which Neovim's own handler only writes to its LSP log file.
-- Kept (the last LOG_MAX) for the rustko log buffer that :RustkoRun opens.
local LOG_MAX = 2000
local log_lines = {}
local log_buf

local function log_append(lines)
  for _, l in ipairs(lines) do
    table.insert(log_lines, l)
  end
  local extra = #log_lines - LOG_MAX
  if extra > 0 then
    for _ = 1, extra do
      table.remove(log_lines, 1)
    end
  end
  if log_buf and vim.api.nvim_buf_is_valid(log_buf) then
    vim.bo[log_buf].modifiable = true
    vim.api.nvim_buf_set_lines(log_buf, -1, -1, false, lines)
    vim.bo[log_buf].modifiable = false
    local n = vim.api.nvim_buf_line_count(log_buf)
    for _, w in ipairs(vim.fn.win_findbuf(log_buf)) do
      vim.api.nvim_win_set_cursor(w, { n, 0 })
    end
  end
end

local function on_log(err, result, ctx, config)
  if type(result) == 'table' and type(result.message) == 'string' then
    log_append(vim.split(result.message, '\n', { plain = true }))
  end
  local default = vim.lsp.handlers['window/logMessage']
  if default and default ~= on_log then
    return default(err, result, ctx, config)
  end
end

--- The server's log lines received so far (a VM run's kernel log lines
--- among them), oldest first.
function M.log()
  return vim.deepcopy(log_lines)
end

--- Opens the rustko log buffer (the server's log messages) in a split below,
--- keeping the cursor where it is; new lines are appended as they come.
function M.show_log()
  if not (log_buf and vim.api.nvim_buf_is_valid(log_buf)) then
    log_buf = vim.api.nvim_create_buf(false, true)
    vim.bo[log_buf].bufhidden = 'hide'
    pcall(vim.api.nvim_buf_set_name, log_buf, 'rustko://log')
    vim.api.nvim_buf_set_lines(log_buf, 0, -1, false, log_lines)
    vim.bo[log_buf].modifiable = false
  end
  if #vim.fn.win_findbuf(log_buf) == 0 then
    local win = vim.api.nvim_get_current_win()
    vim.cmd('botright 12split')
    vim.api.nvim_win_set_buf(0, log_buf)
    vim.api.nvim_win_set_cursor(0, { vim.api.nvim_buf_line_count(log_buf), 0 })
    vim.api.nvim_set_current_win(win)
  end
  return log_buf
end

--- The verdict of the last finished VM run ("rustko: PASS: ...", "rustko:
--- FAIL: ...", "could not run", ...), or nil.
function M.last_run()
  return state.last_run
end

local function rustko_namespaces()
  local out = {}
  for _, client in ipairs(all_clients()) do
    table.insert(out, vim.lsp.diagnostic.get_namespace(client.id))
  end
  return out
end

--- A statusline string: "rustko: building (kbuild)", "rustko: running in
--- a VM", "rustko: generating bindings", "rustko: 2 errors", "rustko: build
--- could not run",
--- "rustko: ok", or "" with no server; "rustko 6.1.0-56-amd64: ok" once
--- the server reports the kernel release (rustko/status).
function M.status()
  local ns = rustko_namespaces()
  if #ns == 0 then
    return ''
  end
  local rels, seen = {}, {}
  for _, r in pairs(state.releases) do
    if not seen[r] then
      seen[r] = true
      table.insert(rels, r)
    end
  end
  table.sort(rels)
  local name = #rels > 0 and ('rustko ' .. table.concat(rels, ', ')) or 'rustko'
  if next(state.building) then
    return name .. ': building' .. (state.stage and (' (' .. state.stage .. ')') or '')
  end
  if next(state.running) then
    return name .. ': running in a VM'
  end
  if next(state.bindings) then
    return name .. ': generating bindings'
  end
  local errors = 0
  for _, n in ipairs(ns) do
    errors = errors + #vim.diagnostic.get(nil, { namespace = n, severity = vim.diagnostic.severity.ERROR })
  end
  if errors > 0 then
    return ('%s: %d error%s'):format(name, errors, errors == 1 and '' or 's')
  end
  if state.last == 'failed' then
    return name .. ': build could not run'
  end
  return name .. ': ok'
end

--- The client configuration for a module root (vim.lsp.start_client /
--- vim.lsp.start take it as it is).
function M.client_config(root)
  local cmd = resolve_cmd(root)
  if not cmd then
    return nil
  end
  local settings = M.server_settings()
  return {
    name = M.name,
    cmd = cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings,
    -- The same settings under "rustko": clients that send
    -- didChangeConfiguration on init (nvim-lspconfig does) then repeat them
    -- instead of clearing them with an empty object.
    settings = { rustko = settings },
    capabilities = M.options.capabilities,
    on_attach = M.options.on_attach,
    handlers = { ['$/progress'] = on_progress, ['rustko/status'] = on_status, ['window/logMessage'] = on_log },
  }
end

-- 0.7: one client per module root, attached to each Rust buffer of it.
local clients_07 = {}

local function attach_07(bufnr, root)
  local id = clients_07[root]
  local existing = id and vim.lsp.get_client_by_id(id)
  if not existing or c_stopped(existing) then
    local cfg = M.client_config(root)
    if not cfg then
      return
    end
    id = vim.lsp.start_client(cfg)
    if not id then
      vim.notify('rustko: starting ' .. table.concat(cfg.cmd, ' ') .. ' failed', vim.log.levels.ERROR)
      return
    end
    clients_07[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

local function buf_root(bufnr)
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  return M.attach_root(vim.api.nvim_buf_get_name(bufnr), vim.bo[bufnr].filetype)
end

local function on_filetype(args)
  local bufnr = args.buf
  local root = buf_root(bufnr)
  if not root then
    return
  end
  if type(vim.lsp.start) == 'function' then
    local cfg = M.client_config(root)
    if cfg then
      vim.lsp.start(cfg, { bufnr = bufnr })
    end
  else
    attach_07(bufnr, root)
  end
end

--- The client of the current buffer's module, or nil.
function M.client(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  return buf_clients(bufnr)[1] or all_clients()[1]
end

local function execute(command, arguments, on_result)
  local client = M.client()
  if not client then
    vim.notify('rustko: no rustko-lsp client is running (open a .rs file of a rust.ko module)', vim.log.levels.WARN)
    return
  end
  c_request(client, 'workspace/executeCommand', { command = command, arguments = arguments }, function(err, result)
    if err then
      vim.notify('rustko: ' .. command .. ': ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if on_result then
      on_result(result)
    end
  end, vim.api.nvim_get_current_buf())
end

local function current_file_uri()
  local name = vim.api.nvim_buf_get_name(0)
  if name ~= '' and M.find_root(name) then
    return { vim.uri_from_fname(name) }
  end
  return {}
end

--- Builds the current buffer's module (every module when it is in none).
function M.rebuild()
  execute(M.commands.rebuild, current_file_uri(), function(r)
    vim.notify(('rustko: build started (%d module%s)'):format(r and r.modules or 0, (r and r.modules == 1) and '' or 's'))
  end)
end

--- Builds the current buffer's module (every module when it is in none)
--- and loads it in a throwaway VM: the server reports progress (status()
--- says "running in a VM"), sends the module's kernel log lines (shown in
--- the rustko log buffer, opened below), shows the verdict and publishes
--- what an oops decodes to on the source lines, until the next run or build.
function M.run()
  execute(M.commands.run, current_file_uri(), function(r)
    M.show_log()
    vim.notify(('rustko: VM run started (%d module%s)'):format(r and r.modules or 0, (r and r.modules == 1) and '' or 's'))
  end)
end

--- Regenerates the bindings even when their inputs look unchanged.
function M.regenerate_bindings()
  execute(M.commands.regenerate, current_file_uri(), function(r)
    vim.notify(('rustko: regenerating bindings (%d module%s)'):format(r and r.modules or 0, (r and r.modules == 1) and '' or 's'))
  end)
end

--- Shows the generated Rust item for a kernel C name (default: the word
--- under the cursor) in a scratch buffer, with where the C declaration is.
function M.show_binding(name)
  if name == nil or name == '' then
    name = vim.fn.expand('<cword>'):gsub('^r#', '')
  end
  if name == '' then
    vim.notify('rustko: put the cursor on a kernel name, or give one: :RustkoShowBinding file_operations', vim.log.levels.WARN)
    return
  end
  local args = { name }
  vim.list_extend(args, current_file_uri())
  execute(M.commands.show_binding, args, function(b)
    if type(b) ~= 'table' then
      return
    end
    local lines = { ('// %s %s'):format(b.kind or '', b.name or name) }
    if b.c and b.c.uri then
      table.insert(lines, ('// C declaration: %s:%d'):format(vim.uri_to_fname(b.c.uri), b.c.range.start.line + 1))
    end
    if b.rust and b.rust ~= '' then
      local at = b.location and (' (%s:%d)'):format(vim.uri_to_fname(b.location.uri), b.location.range.start.line + 1) or ''
      table.insert(lines, ('// Rust item: bindings::%s%s'):format(b.rust, at))
    end
    table.insert(lines, '')
    local text = (b.text or ''):gsub('%s+$', '')
    vim.list_extend(lines, vim.split(text, '\n', { plain = true }))
    vim.cmd('botright new')
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].buftype = 'nofile'
    vim.bo[buf].bufhidden = 'wipe'
    vim.bo[buf].swapfile = false
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
    vim.bo[buf].modifiable = false
    vim.bo[buf].filetype = 'rust'
    pcall(vim.api.nvim_buf_set_name, buf, 'rustko://binding/' .. (b.name or name))
  end)
end

--- Stops the rustko clients and attaches new ones to the open Rust buffers.
function M.restart()
  for _, c in ipairs(all_clients()) do
    c_stop(c)
  end
  clients_07 = {}
  state = new_state()
  vim.defer_fn(function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) then
        on_filetype({ buf = b })
      end
    end
  end, 500)
end

--- Changes settings of the running servers (keys as for setup()).
function M.configure(opts)
  M.options = vim.tbl_deep_extend('force', M.options, opts or {})
  local settings = M.server_settings()
  for _, c in ipairs(all_clients()) do
    c.config.settings = { rustko = settings }
    c_notify(c, 'workspace/didChangeConfiguration', { settings = { rustko = settings } })
  end
end

local function user_commands()
  local cmd = vim.api.nvim_create_user_command
  cmd('RustkoRebuild', M.rebuild, { desc = 'rustko: build the module' })
  cmd('RustkoRun', M.run, { desc = 'rustko: build the module and load it in a throwaway VM' })
  cmd('RustkoRegenerateBindings', M.regenerate_bindings, { desc = 'rustko: regenerate the bindings' })
  cmd('RustkoShowBinding', function(a)
    M.show_binding(a.args)
  end, { nargs = '?', desc = 'rustko: show the generated binding of a kernel C name' })
  cmd('RustkoRestart', M.restart, { desc = 'rustko: restart rustko-lsp' })
  cmd('RustkoStatus', function()
    print(M.status() ~= '' and M.status() or 'rustko: not running')
  end, { desc = 'rustko: build state' })
end

--- The vim.lsp.config() table for Neovim 0.11+ (also what lsp/rustko.lua
--- returns): root_dir is a function, because a module root needs two
--- markers together, which root_markers cannot say.
function M.lsp_config()
  local settings = M.server_settings()
  return {
    -- A function, so the binary is looked for when a module is opened (the
    -- checkout holding it may have one); 0.11.2+ passes the config.
    cmd = function(dispatchers, config)
      local cmd = resolve_cmd(config and config.root_dir or vim.fn.getcwd())
      if not cmd then
        error('rustko-lsp not found: ' .. M.install_hint)
      end
      return vim.lsp.rpc.start(cmd, dispatchers)
    end,
    filetypes = vim.list_extend(vim.deepcopy(M.filetypes), M.config_filetypes),
    root_dir = function(bufnr, on_dir)
      local root = buf_root(bufnr)
      if root then
        on_dir(root)
      end
    end,
    init_options = settings,
    settings = { rustko = settings },
    capabilities = M.options.capabilities,
    on_attach = M.options.on_attach,
    handlers = { ['$/progress'] = on_progress, ['rustko/status'] = on_status, ['window/logMessage'] = on_log },
  }
end

--- An nvim-lspconfig server definition:
---   require('lspconfig.configs').rustko = require('rustko').lspconfig()
---   require('lspconfig').rustko.setup({})
function M.lspconfig()
  local settings = M.server_settings()
  return {
    default_config = {
      cmd = M.options.cmd or { 'rustko-lsp', 'serve' },
      filetypes = vim.list_extend(vim.deepcopy(M.filetypes), M.config_filetypes),
      root_dir = function(fname)
        return M.attach_root(fname)
      end,
      single_file_support = false,
      init_options = settings,
      settings = { rustko = settings },
    },
    docs = {
      description = 'rustko-lsp: diagnostics, hover and builds for Linux kernel modules written in Rust the rust.ko way. '
        .. 'Root: a folder with a Makefile or Kbuild and a Cargo.toml or config.mk. '
        .. 'Settings (init_options or settings.rustko): kernelDir, rustRoot, buildOnSave, helpers, extraHeaders, trusted.',
    },
  }
end

--- Sets rustko up for this Neovim; opts as in `defaults` above. Returns
--- which path was taken: 'enable' (0.11+), 'start' (0.8+) or 'start_client' (0.7).
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  if M.options.user_commands then
    user_commands()
  end
  if type(vim.lsp.enable) == 'function' and vim.lsp.config ~= nil then
    vim.lsp.config(M.name, M.lsp_config())
    vim.lsp.enable(M.name)
    return 'enable'
  end
  local group = vim.api.nvim_create_augroup('rustko', { clear = true })
  vim.api.nvim_create_autocmd('FileType', { group = group, pattern = M.filetypes, callback = on_filetype })
  -- The module's configuration files, by name: their filetypes vary (Kbuild
  -- has none on 0.7), and a quick fix's edit loads config.mk hidden.
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, { group = group, pattern = M.config_patterns, callback = on_filetype })
  -- Buffers already open when setup() runs (a lazy-loaded plugin).
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) then
      on_filetype({ buf = b })
    end
  end
  return type(vim.lsp.start) == 'function' and 'start' or 'start_client'
end

return M
