// Background order flow: a source of timed events applied to a book. Knows nothing of agents.
#pragma once

#include "../book.h"
#include "../rng.h"

namespace tranche {

class Flow {
 public:
  virtual ~Flow() = default;
  // Time of the next event, or a value past any horizon when the flow is exhausted.
  virtual TsNs nextTime() const = 0;
  // Applies the next event to the book and schedules the one after it.
  virtual void step(Book& book) = 0;
  // Restarts the flow at `startNs` with a fresh random stream.
  virtual void reset(Book& book, TsNs startNs, uint64_t seed) = 0;
};

} // namespace tranche
