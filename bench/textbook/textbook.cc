// The textbook limit order book the benchmark compares the engine with: what an engineer writes first,
// correct and plainly efficient, with no engine-specific tricks. Price levels in a std::map per side (bids
// best-first through std::greater), a std::list FIFO of orders per level, and an unordered_map from order
// id to its side, price and list position so cancels find the order without a search.
#include <napi.h>

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <unordered_map>

namespace {

struct Order {
  uint64_t id;
  int64_t qty;
};

using Fifo = std::list<Order>;

struct Locator {
  uint8_t side;
  int64_t price;
  Fifo::iterator it;
};

// Op kinds as in native/index.ts OpKind.
enum : uint8_t { kLimitGtc = 0, kLimitIoc = 1, kLimitPostOnly = 2, kMarket = 3, kCancel = 4, kReduce = 5 };

class Book {
 public:
  explicit Book(size_t expectedOrders) { index_.reserve(expectedOrders); }

  uint64_t trades = 0;
  int64_t tradedQty = 0;
  uint64_t refused = 0;

  void limit(uint64_t id, uint8_t side, int64_t price, int64_t qty, uint8_t tif) {
    if (index_.count(id) != 0) {
      ++refused;
      return;
    }
    const bool crosses = side == 0 ? (!asks_.empty() && price >= asks_.begin()->first)
                                   : (!bids_.empty() && price <= bids_.begin()->first);
    if (tif == kLimitPostOnly && crosses) {
      ++refused;
      return;
    }
    if (crosses) qty = side == 0 ? take(asks_, qty, [price](int64_t p) { return p <= price; })
                                 : take(bids_, qty, [price](int64_t p) { return p >= price; });
    if (qty > 0 && tif != kLimitIoc) {
      Fifo& level = side == 0 ? bids_[price] : asks_[price];
      level.push_back(Order{id, qty});
      index_.emplace(id, Locator{side, price, std::prev(level.end())});
    }
  }

  void market(uint8_t side, int64_t qty) {
    if (side == 0) take(asks_, qty, [](int64_t) { return true; });
    else take(bids_, qty, [](int64_t) { return true; });
  }

  void cancel(uint64_t id) {
    const auto found = index_.find(id);
    if (found == index_.end()) {
      ++refused;
      return;
    }
    remove(found);
  }

  // Partial cancel: the order keeps its place in the queue; reducing by its whole size removes it.
  void reduce(uint64_t id, int64_t by) {
    const auto found = index_.find(id);
    if (found == index_.end()) {
      ++refused;
      return;
    }
    if (by >= found->second.it->qty) remove(found);
    else found->second.it->qty -= by;
  }

 private:
  // Fills `qty` from the best levels of `side` while `acceptable(price)`; returns what is left.
  template <typename Side, typename Acceptable>
  int64_t take(Side& side, int64_t qty, Acceptable acceptable) {
    while (qty > 0 && !side.empty() && acceptable(side.begin()->first)) {
      Fifo& level = side.begin()->second;
      while (qty > 0 && !level.empty()) {
        Order& maker = level.front();
        const int64_t fill = maker.qty < qty ? maker.qty : qty;
        maker.qty -= fill;
        qty -= fill;
        ++trades;
        tradedQty += fill;
        if (maker.qty == 0) {
          index_.erase(maker.id);
          level.pop_front();
        }
      }
      if (level.empty()) side.erase(side.begin());
    }
    return qty;
  }

  void remove(std::unordered_map<uint64_t, Locator>::iterator found) {
    const Locator loc = found->second;
    index_.erase(found);
    if (loc.side == 0) eraseFrom(bids_, loc);
    else eraseFrom(asks_, loc);
  }

  template <typename Side>
  void eraseFrom(Side& side, const Locator& loc) {
    const auto level = side.find(loc.price);
    level->second.erase(loc.it);
    if (level->second.empty()) side.erase(level);
  }

  std::map<int64_t, Fifo, std::greater<int64_t>> bids_;
  std::map<int64_t, Fifo> asks_;
  std::unordered_map<uint64_t, Locator> index_;
};

template <typename T>
T* typed(const Napi::Value& v, napi_typedarray_type type, const char* name, size_t n) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type ||
      v.As<Napi::TypedArray>().ElementLength() != n)
    throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a typed array of the stream's length and type");
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  return reinterpret_cast<T*>(static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset());
}

class TextbookBook : public Napi::ObjectWrap<TextbookBook> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(env, "TextbookBook", {InstanceMethod("applyOps", &TextbookBook::ApplyOps)});
    exports.Set("TextbookBook", ctor);
    return exports;
  }

  // new TextbookBook(expectedOrders?)
  explicit TextbookBook(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<TextbookBook>(info),
        book_(info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 1024) {}

 private:
  // applyOps(kind, side, id, priceTicks, qtyLots) -> [trades, tradedLots, refused] (cumulative)
  Napi::Value ApplyOps(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "kind must be a Uint8Array");
    const size_t n = info[0].As<Napi::TypedArray>().ElementLength();
    const uint8_t* kind = typed<uint8_t>(info[0], napi_uint8_array, "kind", n);
    const uint8_t* side = typed<uint8_t>(info[1], napi_uint8_array, "side", n);
    // Integer columns arrive as BigInt64Array (Arrow's layout, what the engine's fast path reads) or as
    // Float64Array; the loop is the same either way.
    if (info[2].IsTypedArray() && info[2].As<Napi::TypedArray>().TypedArrayType() == napi_bigint64_array) {
      run(env, kind, side, typed<int64_t>(info[2], napi_bigint64_array, "id", n),
          typed<int64_t>(info[3], napi_bigint64_array, "priceTicks", n), typed<int64_t>(info[4], napi_bigint64_array, "qtyLots", n), n);
    } else {
      run(env, kind, side, typed<double>(info[2], napi_float64_array, "id", n),
          typed<double>(info[3], napi_float64_array, "priceTicks", n), typed<double>(info[4], napi_float64_array, "qtyLots", n), n);
    }
    Napi::Array out = Napi::Array::New(env, 3);
    out.Set(0u, Napi::Number::New(env, static_cast<double>(book_.trades)));
    out.Set(1u, Napi::Number::New(env, static_cast<double>(book_.tradedQty)));
    out.Set(2u, Napi::Number::New(env, static_cast<double>(book_.refused)));
    return out;
  }

  template <typename V>
  void run(Napi::Env env, const uint8_t* kind, const uint8_t* side, const V* id, const V* price, const V* qty, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      const uint64_t oid = static_cast<uint64_t>(id[i]);
      const int64_t q = static_cast<int64_t>(qty[i]);
      switch (kind[i]) {
        case kLimitGtc:
        case kLimitIoc:
        case kLimitPostOnly: book_.limit(oid, side[i], static_cast<int64_t>(price[i]), q, kind[i]); break;
        case kMarket: book_.market(side[i], q); break;
        case kCancel: book_.cancel(oid); break;
        case kReduce: book_.reduce(oid, q); break;
        default: throw Napi::RangeError::New(env, "unknown op kind " + std::to_string(kind[i]));
      }
    }
  }

  Book book_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) { return TextbookBook::Init(env, exports); }

}  // namespace

NODE_API_MODULE(textbook, Init)
