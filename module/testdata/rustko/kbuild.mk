# kbuild's side of the build: read by kbuild from build/Makefile, in the
# environment the user-facing Makefile exports.
rust-target := lib${KERNEL_MODULE}.a

obj-m                 := ${KERNEL_MODULE}.o
${KERNEL_MODULE}-objs := $(patsubst %.c,%.o,${C_FILES}) ${rust-target}

EXTRA_LDFLAGS += --gc-sections --entry=init_module --require-defined=cleanup_module

src := ${BASE_DIR}

C_FILES    := $(foreach f,${C_FILES},${BASE_DIR}/$(f))
RUST_FILES := $(foreach f,${RUST_FILES},${BASE_DIR}/$(f))

CARGO_OUT_DIR := ${BASE_DIR}/target/${UTS_MACHINE}-unknown-none-gnu/debug

# UTS_MACHINE is the target kernel's architecture: cargo needs a target spec
# named after it (x86_64-unknown-none-gnu.json) in RUST_TARGET_PATH.
$(obj)/${rust-target}: ${RUST_FILES}
	cd "${BASE_DIR}" && $(CARGO) build ${CARGOFLAGS} --target="${UTS_MACHINE}-unknown-none-gnu" -- ${RCFLAGS}
	cp "${CARGO_OUT_DIR}/${rust-target}" $(obj)
