// The generative flow alone on a book, for studies of the market itself: its messages recorded as a LOBSTER day
// would list them (the stylized facts and the calibration read them), and paired metaorder runs for the impact
// protocol (a run with the metaorder and a control on the same random numbers without it).
#pragma once

#include <vector>

#include "../book.h"
#include "../flow/poisson_flow.h"

namespace tranche {

// Messages with the book's top `levels` levels after each (level-major would need the count up front: rows).
struct FlowRecording {
  int levels = 10;
  std::vector<FlowMessage> messages;
  std::vector<Tick> bidPrice, askPrice;  // [message · levels + level]; kNoBid / kNoAsk where empty
  std::vector<Lots> bidQty, askQty;
};

struct ImpactRunSpec {
  Side side = kBid;        // kBid: the metaorder buys
  int units = 1;           // market orders of unitLots lots each
  Lots unitLots = 1;
  TsNs warmupNs = 0;       // the flow runs alone this long first
  TsNs intervalNs = 1;     // between units: the first goes at warmup + interval / 2
  std::vector<TsNs> checkpointsNs;  // after warmup: mids recorded there
};

struct ImpactRunResult {
  std::vector<double> mid;  // at each checkpoint, NaN where a side was empty
  double startMid = 0;      // at the end of the warm-up
  int unexecuted = 0;       // units that did not fill in full (the other side ran out)
};

class FlowSim {
 public:
  FlowSim(const BookConfig& book, const PoissonFlowConfig& flow) : book_(book), flow_(flow) {}

  void reset(uint64_t seed, TsNs startNs = 0);
  // Applies every flow event at or before tNs.
  void advanceTo(TsNs tNs);
  // A market order of `qty` lots now; returns the lots it filled.
  Lots market(Side side, Lots qty);
  TsNs now() const { return now_; }
  const Book& book() const { return book_; }
  double mid() const;
  // Starts recording (clears what was recorded); null stops.
  void record(FlowRecording* out);
  // One run from a reset with `seed`: with the metaorder or, for the control, without it.
  ImpactRunResult impactRun(uint64_t seed, const ImpactRunSpec& spec, bool withMetaorder);
  uint64_t events() const { return events_; }

 private:
  void snapshot(size_t from);

  Book book_;
  PoissonFlow flow_;
  TsNs now_ = 0;
  uint64_t events_ = 0;
  FlowRecording* rec_ = nullptr;
  std::vector<Tick> px_;
  std::vector<Lots> qx_;
};

}  // namespace tranche
