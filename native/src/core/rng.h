// Deterministic random numbers: xoshiro256** seeded through splitmix64, identical on every platform.
#pragma once

#include <cmath>
#include <cstdint>

namespace tranche {

class Rng {
 public:
  explicit Rng(uint64_t seed = 1) { reseed(seed); }

  void reseed(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& w : s_) w = splitmix(x);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n) (Lemire's multiply-shift; bias below 2^-32 for the n used here).
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  // 1 − u is exact for u on the 2^−53 grid, so log (faster than log1p) loses nothing.
  double exponential(double rate) { return -std::log(1.0 - uniform()) / rate; }
  // Number of failures before the first success, success probability p in (0, 1].
  int64_t geometric(double p) {
    if (p >= 1.0) return 0;
    return geometricLog(std::log1p(-p));
  }
  // The same draw with log(1 − p) computed once by the caller (0 for p = 1): one logarithm a draw, not two.
  int64_t geometricLog(double log1mP) {
    if (log1mP == 0.0 || !(log1mP < 0.0)) return 0;
    return static_cast<int64_t>(std::floor(std::log1p(-uniform()) / log1mP));
  }
  double normal() {
    // Box-Muller; the second variate is discarded so a draw consumes a fixed number of words.
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

// A seed for stream i of a run seeded `seed` (SplitMix64 finaliser): streams are independent yet
// reproducible, whatever the number of them.
inline uint64_t mixSeed(uint64_t seed, uint64_t i) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (i + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

} // namespace tranche
