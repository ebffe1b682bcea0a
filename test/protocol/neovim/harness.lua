-- Runs after the README's init.lua: opens the SQL file, waits for the language server's diagnostics
-- and writes what Neovim shows to $LOCKGUARD_NVIM_OUT as JSON, then quits.

-- Neovim 0.7 (Debian 12's) predates vim.lsp.start; this does what 0.8+ does for the snippet: start the
-- client and attach it to the current buffer.
if not vim.lsp.start then
  vim.lsp.start = function(config)
    local id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(0, id)
    return id
  end
end

vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.LOCKGUARD_NVIM_FILE))
local buffer = vim.api.nvim_get_current_buf()
local received = vim.wait(10000, function() return #vim.diagnostic.get(buffer) > 0 end, 50)

local result = { filetype = vim.bo.filetype, clients = {}, received = received, diagnostics = {} }
for _, client in ipairs(vim.lsp.get_active_clients()) do table.insert(result.clients, client.name) end
for _, d in ipairs(vim.diagnostic.get(buffer)) do
  table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_col = d.end_col, severity = d.severity, source = d.source, code = d.code, message = d.message })
end
vim.fn.writefile({ vim.fn.json_encode(result) }, vim.env.LOCKGUARD_NVIM_OUT)

for _, client in ipairs(vim.lsp.get_active_clients()) do client.stop() end
vim.wait(3000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
vim.cmd('qall!')
