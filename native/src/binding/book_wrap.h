// JS class NativeBook: one order book, its single-order methods and the bulk op-stream path.
#pragma once

#include <napi.h>

#include "../core/book.h"

namespace tranche::binding {

class BookWrap : public Napi::ObjectWrap<BookWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BookWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Limit(const Napi::CallbackInfo& info);
  Napi::Value Market(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Reduce(const Napi::CallbackInfo& info);
  Napi::Value InsertResting(const Napi::CallbackInfo& info);
  Napi::Value Clear(const Napi::CallbackInfo& info);
  Napi::Value TakeTrades(const Napi::CallbackInfo& info);
  Napi::Value BestBid(const Napi::CallbackInfo& info);
  Napi::Value BestAsk(const Napi::CallbackInfo& info);
  Napi::Value DepthAt(const Napi::CallbackInfo& info);
  Napi::Value TopLevels(const Napi::CallbackInfo& info);
  Napi::Value QueueAhead(const Napi::CallbackInfo& info);
  Napi::Value OrderInfo(const Napi::CallbackInfo& info);
  Napi::Value Totals(const Napi::CallbackInfo& info);
  Napi::Value CheckInvariants(const Napi::CallbackInfo& info);
  Napi::Value ApplyOps(const Napi::CallbackInfo& info);
  Napi::Value BytesReserved(const Napi::CallbackInfo& info);

  Book book_;
};

}  // namespace tranche::binding
