-- End-to-end: Neovim (0.7 here, so the start_client path) with
-- require('rustko').setup() from this folder, the real rustko-lsp, and a
-- copy of examples/hello. Checks what a user sees: the client attaches to
-- the module's Rust buffer, diagnostics arrive, hover on a kernel name shows
-- its C declaration, a call to a static inline function is flagged as you
-- type and the flag goes when the call does, the server's commands answer,
-- and the client stops cleanly.
local T = dofile(debug.getinfo(1, 'S').source:sub(2):match('^(.*)/') .. '/harness.lua')
T.deadline(240000)
vim.cmd('filetype on')

local bin = assert(os.getenv('RUSTKO_BIN'), 'RUSTKO_BIN must name the rustko-lsp binary')
local module = assert(os.getenv('RUSTKO_MODULE'), 'RUSTKO_MODULE must name a copy of examples/hello')
local lib = module .. '/src/lib.rs'
local lib_uri = vim.uri_from_fname(lib)

-- Every publishDiagnostics, by URI, on top of Neovim's own handler.
local published = {}
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  if result and result.uri then
    published[result.uri] = result.diagnostics
  end
  return default_publish(err, result, ctx, config)
end

local rustko = require('rustko')
local client

local function messages(uri)
  local out = {}
  for _, d in ipairs(published[uri] or {}) do
    table.insert(out, d.message)
  end
  return out
end

local function find(pattern)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    local s = l:find(pattern)
    if s then
      return i - 1, s - 1, l
    end
  end
end

local ok = T.case('setup takes the 0.7 path and attaches to the module’s Rust buffer', function()
  T.eq(rustko.setup({ cmd = { bin, 'serve' } }), 'start_client', 'path')
  vim.cmd('edit ' .. vim.fn.fnameescape(lib))
  T.eq(vim.bo.filetype, 'rust', 'filetype')
  T.wait(20000, 'the rustko client to attach and initialize', function()
    client = rustko.client()
    return client ~= nil and client.initialized == true
  end)
  T.eq(client.config.root_dir, module, 'root_dir')
  T.truthy(client.server_capabilities.hoverProvider, 'server advertises hover')
end)

if ok then
  T.case('diagnostics are published for src/lib.rs', function()
    T.wait(150000, 'publishDiagnostics for ' .. lib_uri, function()
      return published[lib_uri] ~= nil
    end)
  end)

  T.case('hover on _printk shows its C declaration', function()
    local line, col = find('_printk')
    T.truthy(line, 'src/lib.rs of examples/hello calls _printk')
    local text
    T.wait(60000, 'a hover answer for _printk', function()
      local res = vim.lsp.buf_request_sync(0, 'textDocument/hover', {
        textDocument = { uri = lib_uri },
        position = { line = line, character = col + 2 },
      }, 5000)
      for _, r in pairs(res or {}) do
        if r.result and r.result.contents then
          local c = r.result.contents
          text = type(c) == 'table' and (c.value or vim.inspect(c)) or tostring(c)
          return true
        end
      end
      return false
    end)
    T.truthy(text:match('_printk%s*%('), 'the hover holds the C declaration _printk(...): ' .. text)
  end)

  T.case('a call to the static inline kmalloc is flagged as you type, and the flag goes with it', function()
    local line, _, text = find('_printk')
    local indent = text:match('^(%s*)')
    vim.api.nvim_buf_set_lines(0, line + 1, line + 1, false, { indent .. 'let _p = bindings::kmalloc(64, bindings::GFP_KERNEL);' })
    local function flagged()
      for _, m in ipairs(messages(lib_uri)) do
        if m:match('kmalloc') then
          return true
        end
      end
      return false
    end
    T.wait(30000, 'a diagnostic about kmalloc after didChange', flagged)
    vim.api.nvim_buf_set_lines(0, line + 1, line + 2, false, {})
    T.wait(30000, 'the kmalloc diagnostic to go after the call is removed', function()
      return not flagged()
    end)
  end)

  T.case('rustko.showBinding answers for _printk', function()
    local res = client.request_sync('workspace/executeCommand', { command = 'rustko.showBinding', arguments = { '_printk', lib_uri } }, 15000, 0)
    T.truthy(res and not res.err, 'no error: ' .. vim.inspect(res and res.err))
    T.eq(res.result.name, '_printk', 'name')
    T.truthy(res.result.c and res.result.c.uri:match('%.h$'), 'C declaration in a header')
  end)

  T.case('status() reports on the module', function()
    local s = rustko.status()
    T.truthy(s:match('^rustko: '), 'status line: ' .. s)
  end)

  T.case('the client stops cleanly', function()
    vim.lsp.stop_client(client.id)
    T.wait(10000, 'the client to stop', function()
      return client.is_stopped()
    end)
  end)
end

T.finish()
