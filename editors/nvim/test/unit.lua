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
    T.eq(#attached, 2, 'both Rust buffers of the module attached to that client')
    T.eq(attached[1][2], 41, 'client id')
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
    T.eq(cfg.filetypes, { 'rust' }, 'filetypes')
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
  T.eq(cfg.filetypes, { 'rust' }, 'filetypes')
  T.eq(type(cfg.root_dir), 'function', 'root_dir')
  T.eq(cfg.init_options, { buildOnSave = true }, 'init_options')
end)

T.case('lspconfig(): an nvim-lspconfig server definition', function()
  rustko.setup({ cmd = { '/opt/rustko-lsp', 'serve' }, user_commands = false })
  pcall(vim.api.nvim_del_augroup_by_name, 'rustko')
  local def = rustko.lspconfig()
  T.eq(def.default_config.cmd, { '/opt/rustko-lsp', 'serve' }, 'cmd')
  T.eq(def.default_config.filetypes, { 'rust' }, 'filetypes')
  T.eq(def.default_config.root_dir(module .. '/src/lib.rs'), module, 'root_dir in a module')
  T.eq(def.default_config.root_dir(plain .. '/src/main.rs'), nil, 'root_dir elsewhere')
  T.eq(def.default_config.init_options, { buildOnSave = true }, 'init_options')
  T.truthy(def.docs.description:match('Makefile or Kbuild'), 'docs')
end)

T.case('user commands exist', function()
  rustko.setup({ cmd = { '/opt/rustko-lsp', 'serve' } })
  for _, c in ipairs({ 'RustkoRebuild', 'RustkoRegenerateBindings', 'RustkoShowBinding', 'RustkoRestart', 'RustkoStatus' }) do
    T.eq(vim.fn.exists(':' .. c), 2, c)
  end
  pcall(vim.api.nvim_del_augroup_by_name, 'rustko')
end)

T.case('status() is empty with no server', function()
  T.eq(rustko.status(), '', 'status')
end)

T.finish()
