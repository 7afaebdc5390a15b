package objcheck

import "golang.org/x/arch/x86/x86asm"

// stackTracker follows how far a function has moved RSP below its entry
// value, well enough to tell whether a memory access lies below the current
// stack pointer: the 128-byte red zone the SysV ABI grants user code and the
// kernel does not (an interrupt on the same stack overwrites it).
//
// It reads instructions in address order without following branches. After
// a ret or an unconditional jmp the code that follows is reached from the
// function body, so the depth is reset to the deepest the prologue went,
// which is where compiled code keeps RSP between prologue and epilogue.
type stackTracker struct {
	depth    int64 // bytes RSP is below its value at entry
	maxDepth int64
	known    bool  // depth is trustworthy
	rbp      int64 // depth at which RBP was set to RSP
	rbpValid bool  // RBP holds that frame pointer
}

func newStackTracker() *stackTracker { return &stackTracker{known: true} }

// belowSP returns the memory operand of inst that lies below RSP, if any.
func (st *stackTracker) belowSP(inst x86asm.Inst) (x86asm.Mem, bool) {
	switch inst.Op {
	case x86asm.LEA, x86asm.NOP, x86asm.PREFETCHNTA, x86asm.PREFETCHT0, x86asm.PREFETCHT1,
		x86asm.PREFETCHT2, x86asm.PREFETCHW:
		return x86asm.Mem{}, false // address arithmetic or hints, no access
	}
	for _, a := range inst.Args {
		m, ok := a.(x86asm.Mem)
		if !ok || m.Index != 0 || m.Segment != 0 {
			continue
		}
		switch {
		case m.Base == x86asm.RSP && m.Disp < 0:
			return m, true
		case m.Base == x86asm.RBP && st.rbpValid && st.known && m.Disp < st.rbp-st.depth:
			return m, true
		}
	}
	return x86asm.Mem{}, false
}

// step updates the tracker after inst.
func (st *stackTracker) step(inst x86asm.Inst) {
	dst, _ := inst.Args[0].(x86asm.Reg)
	src := inst.Args[1]
	switch inst.Op {
	case x86asm.PUSH:
		st.move(8)
		return
	case x86asm.POP:
		st.move(-8)
		if dst == x86asm.RBP {
			st.rbpValid = false
		}
		return
	case x86asm.LEAVE: // mov rsp, rbp; pop rbp
		st.depth, st.known = st.rbp-8, st.rbpValid
		st.rbpValid = false
		return
	case x86asm.RET, x86asm.JMP:
		st.depth = st.maxDepth
		return
	}
	switch dst {
	case x86asm.RSP:
		imm, isImm := src.(x86asm.Imm)
		m, isMem := src.(x86asm.Mem)
		switch {
		case inst.Op == x86asm.SUB && isImm:
			st.move(int64(imm))
		case inst.Op == x86asm.ADD && isImm:
			st.move(-int64(imm))
		case inst.Op == x86asm.MOV && src == x86asm.RBP && st.rbpValid:
			st.depth, st.known = st.rbp, true
		case inst.Op == x86asm.LEA && isMem && m.Index == 0 && m.Base == x86asm.RSP:
			st.move(-m.Disp)
		case inst.Op == x86asm.LEA && isMem && m.Index == 0 && m.Base == x86asm.RBP && st.rbpValid:
			st.depth, st.known = st.rbp-m.Disp, true
		default:
			st.known = false // and rsp, -16; sub rsp, rax: dynamic
		}
	case x86asm.RBP, x86asm.EBP, x86asm.BP, x86asm.BPB:
		if inst.Op == x86asm.MOV && src == x86asm.RSP {
			st.rbp, st.rbpValid = st.depth, st.known
		} else if writesDst(inst.Op) {
			st.rbpValid = false
		}
	}
}

func (st *stackTracker) move(n int64) {
	st.depth += n
	if st.known && st.depth > st.maxDepth {
		st.maxDepth = st.depth
	}
}

// writesDst reports ops whose first operand is not written, so that
// cmp rbp, x or test ebp, ebp keep the frame pointer.
func writesDst(op x86asm.Op) bool {
	switch op {
	case x86asm.CMP, x86asm.TEST, x86asm.BT, x86asm.PUSH:
		return false
	}
	return true
}
