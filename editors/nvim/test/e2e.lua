-- End-to-end: Neovim (0.7 here, so the start_client path) with
-- require('rustko').setup() from this folder, the real rustko-lsp, and a
-- copy of examples/hello. Checks what a user sees: the client attaches to
-- the module's Rust buffer, hover on a kernel name shows its C declaration,
-- a call to the static inline kmalloc is flagged as you type and the flag
-- goes when the call does, configure() reaches the running server,
-- showBinding answers, :RustkoRebuild builds the .ko while status() shows
-- the build, :RustkoRun boots it in a VM (QEMU) and passes with the
-- module's kernel log line in the rustko log, and the server exits when the
-- client stops.
local T = dofile(debug.getinfo(1, 'S').source:sub(2):match('^(.*)/') .. '/harness.lua')
T.deadline(840000)
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

-- Every window/showMessage, on top of Neovim's own handler.
local shown = {}
local default_show = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
  if result and result.message then
    table.insert(shown, result.message)
  end
  return default_show(err, result, ctx, config)
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
  -- linux/slab.h declares kmalloc; hello itself reads only printk.h and panic.h.
  T.eq(rustko.setup({ cmd = { bin, 'serve' }, extra_headers = { 'linux/slab.h' } }), 'start_client', 'path')
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
  T.case('once the module loaded, hover on _printk shows its C declaration', function()
    local line, col = find('_printk%(')
    T.truthy(line, 'src/lib.rs of examples/hello calls _printk')
    local text
    -- The first load (make -p, kbuild flags, the C index) takes a while.
    T.wait(150000, 'a hover answer for _printk', function()
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

  T.case('a call to the static inline kmalloc is flagged as you type, and the flag goes with the call', function()
    local line, _, text = find('_printk%(')
    local indent = text:match('^(%s*)')
    vim.api.nvim_buf_set_lines(0, line + 1, line + 1, false, { indent .. 'let _p = bindings::kmalloc(64, bindings::GFP_KERNEL);' })
    local function flag()
      for _, m in ipairs(messages(lib_uri)) do
        if m:match('kmalloc') then
          return m
        end
      end
    end
    T.wait(30000, 'a diagnostic about kmalloc after didChange', function()
      return flag() ~= nil
    end)
    T.truthy(flag():match('static inline'), 'flagged as a static inline: ' .. flag())
    vim.api.nvim_buf_set_lines(0, line + 1, line + 2, false, {})
    T.wait(30000, 'the kmalloc diagnostic to go after the call is removed', function()
      return flag() == nil
    end)
  end)

  T.case('configure() reaches the running server: a kernel_dir that is no kernel tree is reported', function()
    local bogus = module .. '/no-kernel-here'
    rustko.configure({ kernel_dir = bogus })
    T.wait(60000, 'a message naming ' .. bogus, function()
      for _, m in ipairs(shown) do
        if m:find(bogus, 1, true) then
          return true
        end
      end
      return false
    end)
    rustko.configure({ kernel_dir = '' })
  end)

  T.case('rustko.showBinding answers for _printk', function()
    local res = client.request_sync('workspace/executeCommand', { command = 'rustko.showBinding', arguments = { '_printk', lib_uri } }, 15000, 0)
    T.truthy(res and not res.err, 'no error: ' .. vim.inspect(res and res.err))
    T.eq(res.result.name, '_printk', 'name')
    T.truthy(res.result.c and res.result.c.uri:match('%.h$'), 'C declaration in a header')
  end)

  T.case(':RustkoRebuild builds hello.ko; status() goes from building to ok', function()
    local seen = {}
    vim.api.nvim_create_autocmd('User', {
      pattern = 'RustkoStatus',
      callback = function()
        table.insert(seen, rustko.status())
      end,
    })
    vim.cmd('RustkoRebuild')
    T.wait(30000, 'status() to say building', function()
      for _, st in ipairs(seen) do
        if st:match('^rustko[^:]*: building') then
          return true
        end
      end
      return false
    end)
    T.wait(300000, 'the build to end', function()
      return not rustko.status():match('^rustko[^:]*: building')
    end)
    local errors = {}
    for uri, ds in pairs(published) do
      for _, d in ipairs(ds) do
        if (d.severity or 1) == 1 then
          table.insert(errors, ('%s:%d: [%s] %s'):format(uri, d.range.start.line + 1, tostring(d.source), d.message))
        end
      end
    end
    T.truthy(rustko.status():match('^rustko[^:]*: ok$'), 'status after the build is ok, not ' .. rustko.status() .. ' (errors: ' .. table.concat(errors, '; ') .. ')')
    T.truthy(vim.loop.fs_stat(module .. '/hello.ko'), 'hello.ko next to the Makefile')
  end)

  T.case(':RustkoRun boots hello.ko in a VM: status() says running, the kernel log line reaches the log, PASS', function()
    local seen = {}
    vim.api.nvim_create_autocmd('User', {
      pattern = 'RustkoStatus',
      callback = function()
        table.insert(seen, rustko.status())
      end,
    })
    local before = #rustko.log()
    vim.cmd('RustkoRun')
    T.wait(30000, 'status() to say running in a VM', function()
      for _, st in ipairs(seen) do
        if st:match('^rustko[^:]*: running in a VM') then
          return true
        end
      end
      return false
    end)
    T.wait(300000, 'the run to end', function()
      return not rustko.status():match('running in a VM')
    end)
    local lines = vim.list_slice(rustko.log(), before + 1)
    T.truthy((rustko.last_run() or ''):match('^rustko: PASS: hello'), 'verdict ' .. tostring(rustko.last_run()) .. '; log: ' .. table.concat(vim.list_slice(lines, math.max(1, #lines - 20)), ' | '))
    local hello = false
    for _, l in ipairs(lines) do
      hello = hello or l:find('hello from rust', 1, true) ~= nil
    end
    T.truthy(hello, 'the module’s "hello from rust" line in the log')
    local buf = vim.fn.bufnr('rustko://log')
    T.truthy(buf > 0 and #vim.fn.win_findbuf(buf) == 1, 'the rustko://log buffer is shown')
    vim.cmd('only')
  end)

  T.case('the client stops cleanly and the server process ends', function()
    local pid = client.rpc.pid
    T.truthy(type(pid) == 'number', 'server pid')
    vim.lsp.stop_client(client.id)
    T.wait(10000, 'the client to stop', function()
      return client.is_stopped()
    end)
    T.wait(10000, 'rustko-lsp (pid ' .. pid .. ') to exit', function()
      return vim.loop.kill(pid, 0) ~= 0
    end)
  end)
end

T.finish()
