-- Unit tests of lua/rustko/init.lua in the Neovim that runs them (Debian's
-- 0.7.2 here). The 0.8+ and 0.11+ branches of setup() cannot run on 0.7, so
-- their cases put stand-ins for vim.lsp.start / vim.lsp.config /
-- vim.lsp.enable in place and check what setup() hands them; the 0.7 case
-- records its start_client calls the same way to count clients per module.
-- e2e.lua runs the 0.7 path against the real server.
local T = dofile(debug.getinfo(1, 'S').source:sub(2):match('^(.*)/') .. '/harness.lua')
T.deadline(30000)
vim.cmd('filetype on')

local rustko = require('rustko')

-- find_root: the rule of module.FindRoot and the VS Code extension.
local root_cases = {
  { { 'Makefile', 'config.mk' }, true },
  { { 'Makefile', 'Cargo.toml' }, true },
  { { 'Kbuild', 'config.mk' }, true },
  { { 'Makefile' }, false },
  { { 'Cargo.toml', 'config.mk' }, false },
  { { 'Makefile/', 'config.mk' }, false },
  { { 'makefile', 'config.mk' }, false },
}
for _, c in ipairs(root_cases) do
  T.case(('is_root %s -> %s'):format(table.concat(c[1], '+'), tostring(c[2])), function()
    T.eq(rustko.is_root(T.tree(c[1])), c[2], 'is_root')
  end)
end

T.case('find_root from a file in src/ and from the folder itself', function()
  local r = T.tree({ 'Makefile', 'config.mk', 'src/lib.rs' })
  T.eq(rustko.find_root(r .. '/src/lib.rs'), r, 'from src/lib.rs')
  T.eq(rustko.find_root(r), r, 'from the root')
  T.eq(rustko.find_root(r .. '/src'), r, 'from src')
end)

T.case('find_root: nothing for files outside a module, unnamed or non-file buffers', function()
  local r = T.tree({ 'Cargo.toml', 'src/main.rs' })
  T.eq(rustko.find_root(r .. '/src/main.rs'), nil, 'plain cargo project')
  T.eq(rustko.find_root(''), nil, 'unnamed')
  T.eq(rustko.find_root('fugitive:///x/src/lib.rs'), nil, 'fugitive')
end)

T.case('attach_root: Rust files and the module files, nothing else', function()
  local r = T.tree({ 'Makefile', 'config.mk', 'Cargo.toml', 'Kbuild', 'x86_64-unknown-none-gnu.json', 'src/lib.rs',
    'src/hello.c', 'src/shim.h', 'src/sub/Makefile', 'notes/a.json', 'tools/gen.c' })
  for _, f in ipairs({ 'src/lib.rs', 'Makefile', 'config.mk', 'Cargo.toml', 'Kbuild', 'x86_64-unknown-none-gnu.json',
    'src/hello.c', 'src/shim.h' }) do
    T.eq(rustko.attach_root(r .. '/' .. f), r, f)
  end
  for _, f in ipairs({ 'src/sub/Makefile', 'notes/a.json', 'tools/gen.c' }) do
    T.eq(rustko.attach_root(r .. '/' .. f), nil, f)
  end
  local p = T.tree({ 'Cargo.toml', 'Makefile.am', 'src/main.rs' })
  T.eq(rustko.attach_root(p .. '/Cargo.toml'), nil, 'Cargo.toml outside a module')
end)

T.case('server_settings: only the server keys, never an empty table', function()
  T.eq(rustko.server_settings({ build_on_save = true }), { buildOnSave = true }, 'defaults')
  local json = vim.fn.json_encode(rustko.server_settings({}))
  T.truthy(json:match('^{.*}$'), 'encoded as a JSON object, not [] (' .. json .. ')')
  local s = rustko.server_settings({
    kernel_dir = '/usr/src/linux-headers-x/',
    rust_root = '/usr',
    build_on_save = false,
    helpers = { 'kmalloc' },
    extra_headers = { 'linux/fs.h' },
  })
  T.eq(s, { buildOnSave = false, kernelDir = '/usr/src/linux-headers-x', rustRoot = '/usr', helpers = { 'kmalloc' }, extraHeaders = { 'linux/fs.h' } }, 'all set')
  T.eq(rustko.server_settings({ build_on_save = true, trusted = true }), { buildOnSave = true }, 'trusted is the default and is not sent')
  T.eq(rustko.server_settings({ build_on_save = true, trusted = false }), { buildOnSave = false, trusted = false }, 'untrusted: the server is told, no build on save')
end)

T.case('find_binary: a checkout’s bin/rustko-lsp when none is on PATH', function()
  local r = T.tree({ 'examples/hello/Makefile', 'examples/hello/config.mk' })
  vim.fn.writefile({ 'module github.com/rustko/rustko-lsp', '', 'go 1.26' }, r .. '/go.mod')
  vim.fn.mkdir(r .. '/bin', 'p')
  vim.fn.writefile({ '#!/bin/sh' }, r .. '/bin/rustko-lsp')
  vim.loop.fs_chmod(r .. '/bin/rustko-lsp', 493) -- 0755
  local path, gopath = vim.env.PATH, vim.env.GOPATH
  vim.env.PATH = '/nonexistent'
  vim.env.GOPATH = r .. '/nogopath'
  local ok, err = pcall(function()
    T.eq(rustko.find_binary(r .. '/examples/hello'), r .. '/bin/rustko-lsp', 'binary')
    local none, tried = rustko.find_binary(T.tree({}))
    T.eq(none, nil, 'outside a checkout')
    T.truthy(vim.tbl_contains(tried, r .. '/nogopath/bin/rustko-lsp'), 'GOPATH/bin tried')
  end)
  vim.env.PATH, vim.env.GOPATH = path, gopath
  assert(ok, err)
end)

-- setup() on each Neovim generation.
local module = T.tree({ 'Makefile', 'config.mk', 'src/lib.rs' })
local plain = T.tree({ 'Cargo.toml', 'src/main.rs' })

local function with_lsp(stand_ins, fn)
  local saved = {}
  for k, v in pairs(stand_ins) do
    saved[k] = vim.lsp[k]
    vim.lsp[k] = v
  end
  local ok, err = pcall(fn)
  for k in pairs(stand_ins) do
    vim.lsp[k] = saved[k]
  end
  pcall(vim.api.nvim_del_augroup_by_name, 'rustko')
  vim.cmd('silent! %bwipeout!')
  assert(ok, err)
end

T.case('0.7 (this Neovim): setup takes the start_client path', function()
  local started, attached = {}, {}
  with_lsp({
    start_client = function(cfg)
      table.insert(started, cfg)
      return 41
    end,
    buf_attach_client = function(buf, id)
      table.insert(attached, { buf, id })
    end,
    get_client_by_id = function(id)
      return id == 41 and { id = 41, is_stopped = function() return false end } or nil
    end,
  }, function()
    T.eq(rustko.setup({ cmd = { '/opt/rustko-lsp', 'serve' } }), 'start_client', 'path')
    vim.cmd('edit ' .. module .. '/src/lib.rs')
    vim.cmd('edit ' .. plain .. '/src/main.rs')
    vim.cmd('edit ' .. module .. '/Makefile')
    vim.cmd('new ' .. module .. '/src/other.rs')
    T.eq(#started, 1, 'one client for the module, none for the plain cargo project')
    T.eq(started[1].root_dir, module, 'root_dir')
    T.eq(started[1].cmd, { '/opt/rustko-lsp', 'serve' }, 'cmd')
    T.eq(started[1].init_options, { buildOnSave = true }, 'init_options')
    T.eq(started[1].settings, { rustko = { buildOnSave = true } }, 'settings repeat init_options')
    T.eq(#attached, 3, 'both Rust buffers and the Makefile of the module attached to that client')
    T.eq(attached[1][2], 41, 'client id')
    T.eq(vim.api.nvim_buf_get_name(attached[2][1]), module .. '/Makefile', 'the Makefile, so saving it reloads the module')
    -- A quick fix's edit loads config.mk hidden (vim.fn.bufload), as
    -- vim.lsp.util.apply_workspace_edit does: it is attached too.
    local cfg = vim.fn.bufadd(module .. '/config.mk')
    vim.fn.bufload(cfg)
    T.eq(#attached, 4, 'config.mk loaded hidden is attached')
    T.eq(attached[4][1], cfg, 'config.mk buffer')
  end)
end)

T.case('0.8+: setup takes the vim.lsp.start path, one call per Rust buffer of a module', function()
  local calls = {}
  with_lsp({
    start = function(cfg, opts)
      table.insert(calls, { cfg = cfg, opts = opts })
      return 7
    end,
  }, function()
    T.eq(rustko.setup({ cmd = { 'rustko-lsp', 'serve' }, helpers = { 'kmalloc' } }), 'start', 'path')
    vim.cmd('edit ' .. module .. '/src/lib.rs')
    local buf = vim.api.nvim_get_current_buf()
    vim.cmd('edit ' .. plain .. '/src/main.rs')
    T.eq(#calls, 1, 'vim.lsp.start calls')
    T.eq(calls[1].cfg.name, 'rustko', 'name (vim.lsp.start reuses clients by name and root_dir)')
    T.eq(calls[1].cfg.root_dir, module, 'root_dir')
    T.eq(calls[1].opts, { bufnr = buf }, 'bufnr')
    T.eq(calls[1].cfg.init_options, { buildOnSave = true, helpers = { 'kmalloc' } }, 'init_options')
  end)
end)

T.case('0.11+: setup hands vim.lsp.config a config whose root_dir needs both markers, then enables it', function()
  local configured, enabled
  local config = setmetatable({}, {
    __call = function(_, name, cfg)
      configured = { name = name, cfg = cfg }
    end,
  })
  with_lsp({
    config = config,
    enable = function(name)
      enabled = name
    end,
  }, function()
    T.eq(rustko.setup({ cmd = { 'rustko-lsp', 'serve' } }), 'enable', 'path')
    T.eq(configured.name, 'rustko', 'config name')
    T.eq(enabled, 'rustko', 'enabled')
    local cfg = configured.cfg
    T.eq(cfg.filetypes, { 'rust', 'make', 'toml', 'json', 'c', 'cpp' }, 'filetypes: Rust and the module files')
    T.eq(type(cfg.cmd), 'function', 'cmd resolves the binary when a module opens')
    T.eq(cfg.init_options, { buildOnSave = true }, 'init_options')
    local got = {}
    vim.cmd('edit ' .. module .. '/src/lib.rs')
    cfg.root_dir(vim.api.nvim_get_current_buf(), function(d)
      table.insert(got, d)
    end)
    vim.cmd('edit ' .. plain .. '/src/main.rs')
    cfg.root_dir(vim.api.nvim_get_current_buf(), function(d)
      table.insert(got, d)
    end)
    T.eq(got, { module }, 'on_dir called for the module only')
  end)
end)

T.case('lsp/rustko.lua (0.11 runtimepath config) is the same config', function()
  local files = vim.api.nvim_get_runtime_file('lsp/rustko.lua', false)
  T.eq(#files, 1, 'lsp/rustko.lua on runtimepath')
  local cfg = dofile(files[1])
  T.eq(cfg.filetypes, { 'rust', 'make', 'toml', 'json', 'c', 'cpp' }, 'filetypes')
  T.eq(type(cfg.root_dir), 'function', 'root_dir')
  T.eq(cfg.init_options, { buildOnSave = true }, 'init_options')
end)

T.case('lspconfig(): an nvim-lspconfig server definition', function()
  rustko.setup({ cmd = { '/opt/rustko-lsp', 'serve' }, user_commands = false })
  pcall(vim.api.nvim_del_augroup_by_name, 'rustko')
  local def = rustko.lspconfig()
  T.eq(def.default_config.cmd, { '/opt/rustko-lsp', 'serve' }, 'cmd')
  T.eq(def.default_config.filetypes, { 'rust', 'make', 'toml', 'json', 'c', 'cpp' }, 'filetypes')
  T.eq(def.default_config.root_dir(module .. '/Makefile'), module, 'root_dir of the module Makefile')
  T.eq(def.default_config.root_dir(module .. '/src/lib.rs'), module, 'root_dir in a module')
  T.eq(def.default_config.root_dir(plain .. '/src/main.rs'), nil, 'root_dir elsewhere')
  T.eq(def.default_config.init_options, { buildOnSave = true }, 'init_options')
  T.truthy(def.docs.description:match('Makefile or Kbuild'), 'docs')
end)

T.case('user commands exist', function()
  rustko.setup({ cmd = { '/opt/rustko-lsp', 'serve' } })
  for _, c in ipairs({ 'RustkoRebuild', 'RustkoRun', 'RustkoRegenerateBindings', 'RustkoShowBinding', 'RustkoRestart', 'RustkoStatus' }) do
    T.eq(vim.fn.exists(':' .. c), 2, c)
  end
  pcall(vim.api.nvim_del_augroup_by_name, 'rustko')
end)

T.case('status() is empty with no server', function()
  T.eq(rustko.status(), '', 'status')
end)

T.case(':RustkoRun asks the server for rustko.run on the current file and opens the log buffer', function()
  T.eq(rustko.commands.run, 'rustko.run', 'command name')
  rustko.setup({ cmd = { '/opt/rustko-lsp', 'serve' } })
  pcall(vim.api.nvim_del_augroup_by_name, 'rustko')
  local lib = module .. '/src/lib.rs'
  vim.cmd('edit ' .. vim.fn.fnameescape(lib))
  local sent, notified = {}, {}
  -- A stand-in client: 0.7's closures take no self.
  local fake = {
    name = 'rustko',
    request = function(method, params, handler)
      table.insert(sent, { method = method, params = params })
      handler(nil, { modules = 1 })
      return true, 1
    end,
  }
  local real_client, real_notify = rustko.client, vim.notify
  rustko.client = function()
    return fake
  end
  vim.notify = function(msg)
    table.insert(notified, msg)
  end
  local ok, err = pcall(vim.cmd, 'RustkoRun')
  rustko.client, vim.notify = real_client, real_notify
  T.truthy(ok, tostring(err))
  T.eq(#sent, 1, 'one request')
  T.eq(sent[1].method, 'workspace/executeCommand', 'method')
  T.eq(sent[1].params, { command = 'rustko.run', arguments = { vim.uri_from_fname(lib) } }, 'params')
  T.eq(notified, { 'rustko: VM run started (1 module)' }, 'notification')
  local buf = vim.fn.bufnr('rustko://log')
  T.truthy(buf > 0 and #vim.fn.win_findbuf(buf) == 1, 'the rustko://log buffer is shown')
  T.eq(vim.api.nvim_get_current_buf(), vim.fn.bufnr(lib), 'the cursor stays in the source')
  vim.cmd('only')
end)

T.case('the run: log lines reach the log buffer, progress gives status() and last_run()', function()
  local cfg = rustko.client_config(module)
  local log, progress = cfg.handlers['window/logMessage'], cfg.handlers['$/progress']
  T.truthy(log and progress, 'handlers')
  local before = #rustko.log()
  log(nil, { type = 4, message = '[    1.5] hello from rust\n[    1.6] second line' }, { client_id = 1 }, {})
  local lines = rustko.log()
  T.eq({ lines[#lines - 1], lines[#lines] }, { '[    1.5] hello from rust', '[    1.6] second line' }, 'log()')
  T.eq(#lines, before + 2, 'one line each')
  local buf = rustko.show_log()
  local shown = vim.api.nvim_buf_get_lines(buf, -3, -1, false)
  T.eq(shown, { '[    1.5] hello from rust', '[    1.6] second line' }, 'log buffer')
  vim.cmd('only')
  -- status() and progress need a rustko client: a stand-in behind get_client_by_id and get_active_clients.
  local real_get, real_active = vim.lsp.get_client_by_id, vim.lsp.get_active_clients
  local stand_in = { name = 'rustko', messages = { progress = {} } }
  vim.lsp.get_client_by_id = function()
    return stand_in
  end
  vim.lsp.get_active_clients = function()
    return { { name = 'rustko', id = 4242 } }
  end
  local ok, err = pcall(function()
    local p = function(token, value)
      progress(nil, { token = token, value = value }, { client_id = 4242 }, {})
    end
    p('rustko/7', { kind = 'begin', title = 'rustko: running hello in a VM' })
    T.eq(rustko.status(), 'rustko: running in a VM', 'while running')
    p('rustko/7', { kind = 'report', message = 'vm: booting' })
    p('rustko/7', { kind = 'end', message = 'rustko: FAIL: hello on 6.1.0-57-amd64: BUG: kernel NULL pointer dereference' })
    T.eq(rustko.status(), 'rustko: ok', 'after the run')
    T.eq(rustko.last_run(), 'rustko: FAIL: hello on 6.1.0-57-amd64: BUG: kernel NULL pointer dereference', 'verdict')
    p('rustko/8', { kind = 'begin', title = 'rustko: running hello in a VM' })
    p('rustko/8', { kind = 'end', message = 'cancelled' })
    T.eq(rustko.last_run(), 'rustko: FAIL: hello on 6.1.0-57-amd64: BUG: kernel NULL pointer dereference', 'a cancelled run keeps the verdict')
  end)
  vim.lsp.get_client_by_id, vim.lsp.get_active_clients = real_get, real_active
  T.truthy(ok, tostring(err))
end)

T.finish()
