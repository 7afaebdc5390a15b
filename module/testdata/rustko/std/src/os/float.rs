// Compiled only with the float feature, which the module does not enable.
pub fn half(x: f64) -> f64 {
    x / 2.0
}
