#include "flow_sim_wrap.h"

#include <cmath>
#include <limits>
#include <string>

#include "args.h"
#include "batch_wrap.h"

namespace tranche::binding {

Napi::Function FlowSimWrap::Init(Napi::Env env) {
  return DefineClass(env, "NativeFlowSim",
                     {
                         InstanceMethod<&FlowSimWrap::Reset>("reset"),
                         InstanceMethod<&FlowSimWrap::AdvanceTo>("advanceTo"),
                         InstanceMethod<&FlowSimWrap::Market>("market"),
                         InstanceMethod<&FlowSimWrap::Top>("top"),
                         InstanceMethod<&FlowSimWrap::Record>("record"),
                         InstanceMethod<&FlowSimWrap::TakeRecording>("takeRecording"),
                         InstanceMethod<&FlowSimWrap::ImpactRuns>("impactRuns"),
                         InstanceMethod<&FlowSimWrap::Events>("events"),
                     });
}

// new NativeFlowSim(config): the flat market config native/batch.ts builds, with a Poisson flow.
FlowSimWrap::FlowSimWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FlowSimWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "NativeFlowSim(config) needs an object");
  const Napi::Object cfg = info[0].As<Napi::Object>();
  sim_ = std::make_unique<FlowSim>(bookConfigFrom(cfg), poissonFrom(cfg));
}

// reset(seed, startNs = 0)
Napi::Value FlowSimWrap::Reset(const Napi::CallbackInfo& info) {
  const uint64_t seed = static_cast<uint64_t>(intArg(info[0], "seed"));
  const TsNs start = info.Length() > 1 ? static_cast<TsNs>(intArg(info[1], "startNs")) : 0;
  sim_->reset(seed, start);
  return info.Env().Undefined();
}

Napi::Value FlowSimWrap::AdvanceTo(const Napi::CallbackInfo& info) {
  sim_->advanceTo(static_cast<TsNs>(intArg(info[0], "tNs")));
  return info.Env().Undefined();
}

// market(side, qty) -> lots filled
Napi::Value FlowSimWrap::Market(const Napi::CallbackInfo& info) {
  const int64_t side = intArg(info[0], "side"), qty = intArg(info[1], "qty");
  if (side != 0 && side != 1) throw Napi::RangeError::New(info.Env(), "side must be 0 (buy) or 1 (sell)");
  if (qty <= 0) throw Napi::RangeError::New(info.Env(), "qty must be at least 1 lot");
  return Napi::Number::New(info.Env(), static_cast<double>(sim_->market(static_cast<Side>(side), qty)));
}

// top() -> [bestBid, bestAsk, bidQty, askQty, nowNs] (NaN prices where a side is empty)
Napi::Value FlowSimWrap::Top(const Napi::CallbackInfo& info) {
  const Book& b = sim_->book();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Napi::Float64Array out = Napi::Float64Array::New(info.Env(), 5);
  out[0] = b.bestBid() == kNoBid ? nan : static_cast<double>(b.bestBid());
  out[1] = b.bestAsk() == kNoAsk ? nan : static_cast<double>(b.bestAsk());
  out[2] = b.bestBid() == kNoBid ? 0 : static_cast<double>(b.depthAt(kBid, b.bestBid()));
  out[3] = b.bestAsk() == kNoAsk ? 0 : static_cast<double>(b.depthAt(kAsk, b.bestAsk()));
  out[4] = static_cast<double>(sim_->now());
  return out;
}

Napi::Value FlowSimWrap::Events(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(sim_->events()));
}

// record(levels | null): starts recording messages with the top `levels` levels after each, or stops.
Napi::Value FlowSimWrap::Record(const Napi::CallbackInfo& info) {
  if (info[0].IsNull() || info[0].IsUndefined()) {
    sim_->record(nullptr);
    recording_.reset();
    return info.Env().Undefined();
  }
  const int64_t levels = intArg(info[0], "levels");
  if (levels < 1 || levels > 100) throw Napi::RangeError::New(info.Env(), "levels must be 1 to 100");
  recording_ = std::make_unique<FlowRecording>();
  recording_->levels = static_cast<int>(levels);
  sim_->record(recording_.get());
  return info.Env().Undefined();
}

// takeRecording() -> { tsNs, type, side, orderId, priceTicks, qtyLots, bidPrice[l], bidQty[l], askPrice[l], askQty[l] }
// (typed arrays; NaN prices where a level is empty), and clears what was recorded.
Napi::Value FlowSimWrap::TakeRecording(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!recording_) throw Napi::Error::New(env, "takeRecording() needs record(levels) first");
  FlowRecording& r = *recording_;
  const size_t n = r.messages.size();
  const size_t L = static_cast<size_t>(r.levels);
  Napi::Float64Array ts = Napi::Float64Array::New(env, n), id = Napi::Float64Array::New(env, n);
  Napi::Float64Array price = Napi::Float64Array::New(env, n), qty = Napi::Float64Array::New(env, n);
  Napi::Uint8Array type = Napi::Uint8Array::New(env, n), side = Napi::Uint8Array::New(env, n);
  for (size_t i = 0; i < n; ++i) {
    const FlowMessage& m = r.messages[i];
    ts[i] = static_cast<double>(m.tsNs);
    type[i] = m.type;
    side[i] = m.side;
    id[i] = static_cast<double>(m.id);
    price[i] = static_cast<double>(m.price);
    qty[i] = static_cast<double>(m.qty);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto levels = [&](const std::vector<Tick>& p, const std::vector<Lots>& q, bool prices) {
    Napi::Array out = Napi::Array::New(env, L);
    for (size_t l = 0; l < L; ++l) {
      Napi::Float64Array a = Napi::Float64Array::New(env, n);
      for (size_t i = 0; i < n; ++i) {
        const Lots lots = q[i * L + l];
        a[i] = prices ? (lots > 0 ? static_cast<double>(p[i * L + l]) : nan) : static_cast<double>(lots);
      }
      out.Set(static_cast<uint32_t>(l), a);
    }
    return out;
  };
  Napi::Object out = Napi::Object::New(env);
  out.Set("tsNs", ts);
  out.Set("type", type);
  out.Set("side", side);
  out.Set("orderId", id);
  out.Set("priceTicks", price);
  out.Set("qtyLots", qty);
  out.Set("bidPrice", levels(r.bidPrice, r.bidQty, true));
  out.Set("bidQty", levels(r.bidPrice, r.bidQty, false));
  out.Set("askPrice", levels(r.askPrice, r.askQty, true));
  out.Set("askQty", levels(r.askPrice, r.askQty, false));
  r.messages.clear(), r.bidPrice.clear(), r.askPrice.clear(), r.bidQty.clear(), r.askQty.clear();
  return out;
}

// impactRuns({ seeds: Float64Array, side, units, warmupNs, intervalNs, checkpointsNs: Float64Array })
//   -> { meta: Float64Array(runs × checkpoints), control: (same), startMid: Float64Array(runs), unexecuted: Float64Array(runs) }
// Each seed gives a metaorder run and a control run on the same random numbers.
Napi::Value FlowSimWrap::ImpactRuns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "impactRuns(spec) needs an object");
  const Napi::Object o = info[0].As<Napi::Object>();
  if (!o.Get("seeds").IsTypedArray() || !o.Get("checkpointsNs").IsTypedArray())
    throw Napi::TypeError::New(env, "impactRuns: seeds and checkpointsNs must be Float64Arrays");
  const Napi::Float64Array seeds = o.Get("seeds").As<Napi::Float64Array>();
  const Napi::Float64Array cps = o.Get("checkpointsNs").As<Napi::Float64Array>();
  ImpactRunSpec spec;
  spec.side = intArg(o.Get("side"), "side") == 0 ? kBid : kAsk;
  spec.units = static_cast<int>(intArg(o.Get("units"), "units"));
  spec.unitLots = static_cast<Lots>(intArg(o.Get("unitLots"), "unitLots"));
  spec.warmupNs = static_cast<TsNs>(intArg(o.Get("warmupNs"), "warmupNs"));
  spec.intervalNs = static_cast<TsNs>(intArg(o.Get("intervalNs"), "intervalNs"));
  if (spec.units < 1 || spec.unitLots < 1 || spec.intervalNs < 1) throw Napi::RangeError::New(env, "impactRuns: units, unitLots and intervalNs must be at least 1");
  for (size_t c = 0; c < cps.ElementLength(); ++c) spec.checkpointsNs.push_back(static_cast<TsNs>(cps[c]));
  const size_t runs = seeds.ElementLength(), C = spec.checkpointsNs.size();
  Napi::Float64Array meta = Napi::Float64Array::New(env, runs * C), control = Napi::Float64Array::New(env, runs * C);
  Napi::Float64Array start = Napi::Float64Array::New(env, runs), unexecuted = Napi::Float64Array::New(env, runs);
  for (size_t r = 0; r < runs; ++r) {
    const uint64_t seed = static_cast<uint64_t>(seeds[r]);
    const ImpactRunResult a = sim_->impactRun(seed, spec, true);
    const ImpactRunResult b = sim_->impactRun(seed, spec, false);
    for (size_t c = 0; c < C; ++c) meta[r * C + c] = a.mid[c], control[r * C + c] = b.mid[c];
    start[r] = a.startMid;
    unexecuted[r] = a.unexecuted;
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("meta", meta);
  out.Set("control", control);
  out.Set("startMid", start);
  out.Set("unexecuted", unexecuted);
  return out;
}

}  // namespace tranche::binding
