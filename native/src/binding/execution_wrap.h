// JS class NativeExecution: N execution tasks bound once to caller-owned typed arrays, stepped in one call.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "../core/execution_task.h"

namespace tranche::binding {

class ExecutionWrap : public Napi::ObjectWrap<ExecutionWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit ExecutionWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Reset(const Napi::CallbackInfo& info);
  Napi::Value Step(const Napi::CallbackInfo& info);
  Napi::Value CheckInvariants(const Napi::CallbackInfo& info);
  Napi::Value FlowEvents(const Napi::CallbackInfo& info);
  Napi::Value TakeSideDepth(const Napi::CallbackInfo& info);

  std::unique_ptr<ExecutionBatch> batch_;
  ExecutionIO io_{};
  Napi::ObjectReference ioRef_;    // keeps the caller's arrays alive while their pointers are held
  Napi::ObjectReference flowRef_;  // keeps a replay's data alive
  std::vector<uint64_t> seedScratch_;
  std::vector<uint8_t> reseedScratch_;
};

}  // namespace tranche::binding
