-- Neovim 0.11+: with editors/nvim on 'runtimepath', `vim.lsp.enable('rustko')`
-- finds this file. Options: call require('rustko').setup({...}) instead, or
-- vim.lsp.config('rustko', { init_options = {...} }) before enabling.
return require('rustko').lsp_config()
