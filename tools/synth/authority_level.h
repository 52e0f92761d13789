// The synthetic authorities of `sgm synth --scale N`: each authority's
// seed and level, shared by the generators so that one authority's
// contacts, case events, workforce and quality assurance fit together.
//
// The first authority (index 0) is the calibrated one: its seed is the
// given seed and its levels are all 1. Every other authority draws its own
// seed and levels from the seed and its index:
//   - volume 0.6 to 1.6: contacts a month and the child population (a
//     smaller or larger authority than the calibrated one);
//   - progression 0.8 to 1.15: the share of contacts that become referrals
//     (about 12-18% against the calibrated 15%), so referrals, and with them
//     every later stage, scale with volume x progression;
//   - lateness 0.75 to 1.3: the share of assessments, ICPCs, visits and
//     reviews that are late (e.g. first assessments in time about 82-89%
//     against the calibrated 86%).
#ifndef SGM_TOOLS_SYNTH_AUTHORITY_LEVEL_H_
#define SGM_TOOLS_SYNTH_AUTHORITY_LEVEL_H_

#include <cstdint>

#include "tools/synth/synth_rng.h"

namespace sgm::synth {

struct AuthorityLevel {
  double volume = 1;
  double progression = 1;
  double lateness = 1;
  // The case-management volume: referrals and what follows them.
  double case_volume() const { return volume * progression; }
};

// The seed of the index-th authority's case events (and of the workforce
// and quality assurance that go with them): `seed` itself for index 0.
inline uint64_t AuthoritySeedOf(uint64_t seed, int index) {
  if (index == 0) return seed;
  uint64_t state =
      seed ^ (0xA0761D6478BD642FULL * (static_cast<uint64_t>(index) + 0x51ULL));
  return SplitMix64(&state);
}

// The index-th authority's level: all 1 for index 0.
inline AuthorityLevel AuthorityLevelOf(uint64_t seed, int index) {
  AuthorityLevel level;
  if (index == 0) return level;
  SynthRng rng(AuthoritySeedOf(seed, index) ^ 0x4C4556454CULL);
  level.volume = rng.Uniform(0.6, 1.6);
  level.progression = rng.Uniform(0.8, 1.15);
  level.lateness = rng.Uniform(0.75, 1.3);
  return level;
}

}  // namespace sgm::synth

#endif  // SGM_TOOLS_SYNTH_AUTHORITY_LEVEL_H_
