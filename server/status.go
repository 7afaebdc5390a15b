package server

// statusParams is rustko/status: what the server knows about one module's
// kernel, for the editors' status bars (VS Code, Neovim statusline). It is
// sent after every load, so a changed KERNEL_BUILD_PATH shows at once.
type statusParams struct {
	Root          string `json:"root"`
	KernelRelease string `json:"kernelRelease,omitempty"`
	KernelError   string `json:"kernelError,omitempty"`
}

func (s *Server) sendStatus(root string, proj *Project, loadErr, indexErr error) {
	p := statusParams{Root: root}
	switch {
	case loadErr != nil:
		p.KernelError = loadErr.Error()
	case proj == nil:
	case proj.Kernel != nil:
		p.KernelRelease = proj.Kernel.Release
		if indexErr != nil {
			p.KernelError = "the kernel headers do not parse: " + indexErr.Error()
		}
	case proj.KernelErr != nil:
		p.KernelError = proj.KernelErr.Error()
	}
	// Like showMessage: never write from the caller's goroutine.
	s.goBackground("rustko/status", func() {
		if err := s.conn.Notify(s.ctx, "rustko/status", &p); err != nil {
			s.log.Debug("rustko/status failed", "error", err)
		}
	})
}
