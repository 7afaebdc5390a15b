// Placeholder until build.rs runs bindgen.
