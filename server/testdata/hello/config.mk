RUST_ROOT := /usr
