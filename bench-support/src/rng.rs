//! A small deterministic PRNG (xorshift64*) shared by the examples, so that they print the same
//! numbers every run.

/// xorshift64* state; seed it with any non-zero value.
pub struct Rng(pub u64);

impl Rng {
    /// The next pseudo-random word.
    // An endless stream, called as `rng.next()`: not an `Iterator`.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}
