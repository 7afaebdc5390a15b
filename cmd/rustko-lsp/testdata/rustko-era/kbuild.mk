# kbuild's side of the build: kbuild reads it as build/Makefile, in the
# environment the Makefile exports.
rust-target := lib${KERNEL_MODULE}.a

obj-m                 := ${KERNEL_MODULE}.o
${KERNEL_MODULE}-objs := $(patsubst %.c,%.o,${C_FILES}) ${rust-target}

EXTRA_LDFLAGS += --gc-sections --entry=init_module --require-defined=cleanup_module

src := ${BASE_DIR}

C_FILES    := $(foreach f,${C_FILES},${BASE_DIR}/$(f))
RUST_FILES := $(foreach f,${RUST_FILES},${BASE_DIR}/$(f))

CARGO_OUT_DIR := ${BASE_DIR}/target/${UTS_MACHINE}-unknown-none-gnu/debug

# std/build.rs runs bindgen with kbuild's own C flags on KERNEL_INCLUDE.
export STD_CLANG_ARGS  := ${LINUXINCLUDE} ${KBUILD_CFLAGS}
export STD_CLANG_FILES := ${KERNEL_INCLUDE}
export STD_KERNEL_PATH := ${KERNEL_BUILD_PATH}

$(obj)/${rust-target}: ${RUST_FILES}
	cd "${BASE_DIR}" && $(XARGO) build ${CARGOFLAGS} --target="${UTS_MACHINE}-unknown-none-gnu" -- ${RCFLAGS}
	cp "${CARGO_OUT_DIR}/${rust-target}" $(obj)
